from django.apps import AppConfig


def bind_route_views():
    from vigils.models import PrayerCalendarPage, VigilPage
    from vigils.views import calendars, vigils

    PrayerCalendarPage.route_views.bind(
        feed=calendars.CalendarDaysFeed, ics=calendars.calendar_ics, subscribe=calendars.subscribe
    )
    VigilPage.route_views.bind(
        vigil=vigils.vigil_page, signup=vigils.signup, pulse=vigils.pulse_fragment
    )


def register_demo():
    from core import demo
    from vigils.demo import create_vigil_demo
    from vigils.models import PrayerCalendarPage, VigilPage

    # Content in this order among the apps' (core/demo.py): vigils after the campaign.
    demo.register("content", create_vigil_demo, order=40)
    demo.register_page("vigil", VigilPage)
    demo.register_page("calendar", PrayerCalendarPage)


def register_confirmables():
    """Pending until the emailed link is followed; core.confirmation forgets them after."""
    from django.db.models import Q

    from core.confirmation import Confirmable, register
    from vigils.models import CalendarSubscription, VigilSignup

    register(Confirmable(CalendarSubscription, CalendarSubscription.Status.PENDING))
    # A sign-up that holds places is a person's, whatever its status says.
    register(Confirmable(VigilSignup, VigilSignup.Status.PENDING, keep=Q(bookings__isnull=False)))


class VigilsConfig(AppConfig):
    """Prayer vigils (slots, sign-ups, organisers' messages) and prayer calendars."""

    name = "vigils"
    verbose_name = "Vigils and prayer calendars"

    def ready(self):
        from core import outbox, privacy, schedules
        from vigils import privacy as vigils_privacy
        from vigils.messages import CalendarDayKind, VigilMessageKind

        outbox.register(VigilMessageKind())
        outbox.register(CalendarDayKind())
        privacy.register(vigils_privacy)
        bind_route_views()
        register_demo()
        register_confirmables()
        for name, func, minutes in (
            ("send-calendar-entries", "vigils.tasks.send_due_calendar_entries", 15),
            ("send-vigil-reminders", "vigils.tasks.send_due_reminders", 5),
        ):
            schedules.register(name, func, minutes)
        for name in ("purge-unconfirmed-vigil-signups", "purge-unconfirmed-calendar-subscriptions"):
            schedules.retire(name)
