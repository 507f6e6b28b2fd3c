"""The recurring work of the task cluster, created idempotently by name after every migrate."""

from django.db import DEFAULT_DB_ALIAS

# name -> (function, minutes between runs). Other apps add theirs here as they gain schedules.
SCHEDULES = {
    "task-heartbeat": ("website.tasks.record_heartbeat", 1),
    "publish-scheduled-pages": ("website.tasks.publish_scheduled_pages", 5),
    "send-due-digests": ("prayer.tasks.digests.send_due_digests", 15),
    "notify-prayer-moderators": ("prayer.tasks.requests.notify_moderators", 30),
    "purge-unconfirmed-subscriptions": (
        "prayer.tasks.subscriptions.purge_unconfirmed_subscriptions",
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
