from django.apps import AppConfig


class PrayerConfig(AppConfig):
    name = "prayer"
    verbose_name = "Prayer"

    def ready(self):
        from django.db.models import Q
        from django.db.models.functions import Coalesce

        from prayer.models import CalendarSubscription, Subscription, VigilSignup
        from website.confirmation import Confirmable, register

        # Pending until the emailed link is followed; website.confirmation forgets them after.
        register(
            Confirmable(
                Subscription,
                Subscription.Status.PENDING,
                confirmed_at_field="confirmed_at",
                # A repeated sign-up renews consent_at: the latest request counts.
                requested_at=Coalesce("consent_at", "created_at"),
            )
        )
        register(Confirmable(CalendarSubscription, CalendarSubscription.Status.PENDING))
        # A sign-up that holds places is a person's, whatever its status says.
        register(
            Confirmable(VigilSignup, VigilSignup.Status.PENDING, keep=Q(bookings__isnull=False))
        )
