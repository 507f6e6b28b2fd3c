"""The recurring work of the task cluster, created idempotently by name after every migrate.

Core knows no app: each app registers its own schedules from its AppConfig.ready() with
`register(name, "app.tasks.function", minutes)`, the way pretix apps connect to its
`periodic_task` signal. `ensure_schedules` runs on post_migrate, after every ready().
"""

from django.db import DEFAULT_DB_ALIAS

# name -> (dotted path of the task function, minutes between runs).
SCHEDULES: dict[str, tuple[str, int]] = {}
# Names of schedules whose work moved elsewhere: their rows are deleted, so an existing install
# never runs a task that no longer exists.
RETIRED: set[str] = set()


def register(name: str, func: str, minutes: int) -> None:
    """Run `func` every `minutes`. A name is registered once: two apps claiming one name
    would silently overwrite each other's schedule in the database."""
    if SCHEDULES.get(name, (func, minutes)) != (func, minutes):
        raise ValueError(f"Schedule {name!r} is already registered as {SCHEDULES[name]}")
    SCHEDULES[name] = (func, minutes)


def retire(name: str) -> None:
    """Delete the schedule `name` on the next migrate (an app's work that moved or ended)."""
    RETIRED.add(name)


def ensure_schedules(using=DEFAULT_DB_ALIAS, **kwargs):
    """Create or update each schedule by its name; never duplicate one; delete retired ones."""
    from django_q.models import Schedule

    Schedule.objects.using(using).filter(name__in=RETIRED).delete()
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
