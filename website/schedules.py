"""The recurring work of the task cluster, created idempotently by name after every migrate."""

from django.db import DEFAULT_DB_ALIAS

# name -> (function, minutes between runs). Other apps add theirs here as they gain schedules.
SCHEDULES = {
    "task-heartbeat": ("website.tasks.record_heartbeat", 1),
    "publish-scheduled-pages": ("website.tasks.publish_scheduled_pages", 5),
    "send-due-digests": ("prayer.tasks.digests.send_due_digests", 15),
    "notify-prayer-moderators": ("prayer.tasks.requests.notify_moderators", 30),
    "forget-prayer-submitter-contacts": (
        "prayer.tasks.requests.forget_submitter_contacts",
        24 * 60,
    ),
    "volunteer-shift-reminders": ("volunteers.tasks.send_due_reminders", 15),
    "volunteer-expiring-checks": ("volunteers.tasks.remind_expiring_checks", 24 * 60),
    "volunteer-expired-clearances": ("volunteers.tasks.withdraw_expired_clearances", 24 * 60),
    "volunteer-coordinator-summary": ("volunteers.tasks.send_coordinator_summary", 24 * 60),
    "send-calendar-entries": ("prayer.tasks.calendars.send_due_calendar_entries", 15),
    "send-vigil-reminders": ("prayer.tasks.vigils.send_due_reminders", 5),
    "resume-campaign-updates": ("campaigns.tasks.resume_update_sends", 10),
    "take-down-ended-consent": ("website.consent.tasks.take_down_ended_consent", 15),
    "forget-webhook-receipts": ("website.webhooks.forget_old_receipts", 24 * 60),
    "clear-expired-sessions": ("website.tasks.clear_expired_sessions", 24 * 60),
    # Every kind of row pending until its emailed link is followed (website.confirmation).
    "purge-unconfirmed": ("website.confirmation.purge_unconfirmed", 24 * 60),
    # Retention (issue 7): see the README's "Retention" section for what each keeps.
    "warn-inactive-volunteers": ("volunteers.retention.warn_inactive_volunteers", 24 * 60),
    "anonymise-inactive-volunteers": (
        "volunteers.retention.anonymise_inactive_volunteers",
        24 * 60,
    ),
    "reduce-past-campaign-registrations": (
        "campaigns.retention.reduce_old_registrations",
        24 * 60,
    ),
}


def ensure_schedules(using=DEFAULT_DB_ALIAS, **kwargs):
    """Create or update each schedule by its name; never duplicate one."""
    from django_q.models import Schedule

    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.using(using).update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )
