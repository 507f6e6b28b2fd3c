from functools import partial

from django.apps import AppConfig

DAILY = 24 * 60


def register_demo():
    from core import demo
    from volunteers.demo import create_volunteer_demo
    from volunteers.models import VolunteerIndexPage

    demo.register("content", create_volunteer_demo, order=30)
    demo.register_page("volunteer", VolunteerIndexPage)


def register_confirmables():
    """Pending until the emailed link is followed; core.confirmation forgets them after, then
    the profiles they leave with nothing."""
    from core.confirmation import Confirmable, register
    from volunteers.models import SignUp
    from volunteers.retention import forget_unproven_volunteers

    register(
        Confirmable(SignUp, SignUp.Status.PENDING_EMAIL, afterwards=forget_unproven_volunteers)
    )


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self):
        from core import outbox, privacy, schedules, single_messages
        from volunteers import privacy as volunteer_privacy
        from volunteers.emails import TEMPLATES, outbox_kind, still_wanted
        from volunteers.messages import ShiftMessageKind

        outbox.register(ShiftMessageKind())
        # A status email whose sign-up has moved on by the time it is sent is not sent.
        for kind in TEMPLATES:
            single_messages.register_still_wanted(outbox_kind(kind), partial(still_wanted, kind))
        privacy.register(volunteer_privacy)
        register_demo()
        register_confirmables()
        for name, func, minutes in (
            ("volunteer-shift-reminders", "volunteers.tasks.send_due_reminders", 15),
            ("volunteer-expiring-checks", "volunteers.tasks.remind_expiring_checks", DAILY),
            (
                "volunteer-expired-clearances",
                "volunteers.tasks.withdraw_expired_clearances",
                DAILY,
            ),
            (
                "volunteer-coordinator-summary",
                "volunteers.tasks.send_coordinator_summary",
                DAILY,
            ),
            # Retention (issue 7): see the README's "Retention" section for what each keeps.
            (
                "warn-inactive-volunteers",
                "volunteers.retention.warn_inactive_volunteers",
                DAILY,
            ),
            (
                "anonymise-inactive-volunteers",
                "volunteers.retention.anonymise_inactive_volunteers",
                DAILY,
            ),
        ):
            schedules.register(name, func, minutes)
        # One purge of unconfirmed rows for every feature (core.confirmation) replaced it.
        schedules.retire("volunteer-purge-unconfirmed")
