from django.apps import AppConfig


def register_confirmables():
    """Pending until the emailed link is followed; core.confirmation forgets them after."""
    from django.db.models.functions import Coalesce

    from core.confirmation import Confirmable, register
    from digests.models import Subscription

    register(
        Confirmable(
            Subscription,
            Subscription.Status.PENDING,
            confirmed_at_field="confirmed_at",
            # A repeated sign-up renews consent_at: the latest request counts.
            requested_at=Coalesce("consent_at", "created_at"),
        )
    )


class DigestsConfig(AppConfig):
    """Subscriptions to prayer updates and the digests sent to them."""

    name = "digests"
    verbose_name = "Prayer updates"

    def ready(self):
        from core import outbox, privacy, schedules, webhooks
        from digests import privacy as digests_privacy
        from digests.consent import redact_digests_after_take_down
        from digests.provider_unsubscribe import stop_digests
        from digests.sending import DigestKind
        from website.consent import targets

        outbox.register(DigestKind())
        privacy.register(digests_privacy)
        register_confirmables()
        webhooks.register_unsubscribe(stop_digests)
        targets.register_after_take_down(redact_digests_after_take_down)
        schedules.register("send-due-digests", "digests.tasks.send_due_digests", 15)
        schedules.retire("purge-unconfirmed-subscriptions")
