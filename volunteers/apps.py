from django.apps import AppConfig

DAILY = 24 * 60


def register_demo():
    from core import demo
    from volunteers.demo import create_volunteer_demo
    from volunteers.models import VolunteerIndexPage

    demo.register("content", create_volunteer_demo, order=30)
    demo.register_page("volunteer", VolunteerIndexPage)


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self):
        from core import outbox, privacy, schedules
        from volunteers import privacy as volunteer_privacy
        from volunteers.messages import ShiftMessageKind

        outbox.register(ShiftMessageKind())
        privacy.register(volunteer_privacy)
        register_demo()
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
            ("volunteer-purge-unconfirmed", "volunteers.tasks.purge_unconfirmed_signups", DAILY),
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
