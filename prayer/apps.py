from django.apps import AppConfig

DAILY = 24 * 60


def bind_route_views():
    from prayer.models import PrayerCalendarPage, PrayerWallPage, VigilPage
    from prayer.views import calendars, requests, vigils

    PrayerCalendarPage.route_views.bind(
        feed=calendars.CalendarDaysFeed, ics=calendars.calendar_ics, subscribe=calendars.subscribe
    )
    VigilPage.route_views.bind(
        vigil=vigils.vigil_page, signup=vigils.signup, pulse=vigils.pulse_fragment
    )
    PrayerWallPage.route_views.bind(prayed=requests.prayed, feed=requests.PrayerRequestsFeed)


def register_demo():
    from core import demo
    from prayer.demo import create_prayer_demo, ensure_pray_page
    from prayer.demo_vigils import create_vigil_demo
    from prayer.models import PrayerCalendarPage, PrayerWallPage, VigilPage

    # Content in this order among the apps' (core/demo.py): vigils after the campaign.
    demo.register("content", create_prayer_demo, order=10)
    demo.register("content", create_vigil_demo, order=40)
    demo.register("finish", ensure_pray_page)
    demo.register_page("wall", PrayerWallPage)
    demo.register_page("vigil", VigilPage)
    demo.register_page("calendar", PrayerCalendarPage)


def register_consent():
    from django.db.models.signals import pre_delete

    from prayer.consent import (
        delete_consent_records,
        redact_digests_after_take_down,
        request_edit_url,
        take_down_ended_requests,
    )
    from prayer.models import PrayerRequest
    from website.consent import targets

    # "prayer_request": the query name of PrayerRequest.consent_records, from a record.
    targets.register(
        targets.ConsentTarget("prayer_request", take_down_ended_requests, request_edit_url)
    )
    targets.register_after_take_down(redact_digests_after_take_down)
    pre_delete.connect(
        delete_consent_records, sender=PrayerRequest, dispatch_uid="prayer-request-consent"
    )


def register_confirmables():
    """Pending until the emailed link is followed; core.confirmation forgets them after."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    from core.confirmation import Confirmable, register
    from prayer.models import CalendarSubscription, Subscription, VigilSignup

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
    register(Confirmable(VigilSignup, VigilSignup.Status.PENDING, keep=Q(bookings__isnull=False)))


class PrayerConfig(AppConfig):
    name = "prayer"
    verbose_name = "Prayer"

    def ready(self):
        from core import outbox, privacy, schedules, webhooks
        from prayer import privacy as prayer_privacy
        from prayer.digests.sending import DigestKind
        from prayer.messages import VigilMessageKind
        from prayer.provider_unsubscribe import stop_digests

        outbox.register(DigestKind())
        outbox.register(VigilMessageKind())
        privacy.register(prayer_privacy)
        bind_route_views()
        register_demo()
        register_consent()
        register_confirmables()
        webhooks.register_unsubscribe(stop_digests)
        for name, func, minutes in (
            ("send-due-digests", "prayer.tasks.digests.send_due_digests", 15),
            ("notify-prayer-moderators", "prayer.tasks.requests.notify_moderators", 30),
            (
                "forget-prayer-submitter-contacts",
                "prayer.tasks.requests.forget_submitter_contacts",
                DAILY,
            ),
            ("send-calendar-entries", "prayer.tasks.calendars.send_due_calendar_entries", 15),
            ("send-vigil-reminders", "prayer.tasks.vigils.send_due_reminders", 5),
        ):
            schedules.register(name, func, minutes)
        # One purge of unconfirmed rows for every feature (core.confirmation) replaced these.
        for name in (
            "purge-unconfirmed-vigil-signups",
            "purge-unconfirmed-calendar-subscriptions",
            "purge-unconfirmed-subscriptions",
        ):
            schedules.retire(name)
