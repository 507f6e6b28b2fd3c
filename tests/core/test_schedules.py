"""Schedules are created once by name, whatever number of times migrate runs."""

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from core.schedules import SCHEDULES, ensure_schedules

pytestmark = pytest.mark.django_db


def test_every_schedule_exists_once_after_repeated_migrations():
    ensure_schedules()
    call_command("migrate", verbosity=0)
    ensure_schedules()
    names = list(Schedule.objects.values_list("name", flat=True))
    assert sorted(names) == sorted(SCHEDULES)


def test_scheduled_publishing_runs_every_five_minutes():
    schedule = Schedule.objects.get(name="publish-scheduled-pages")
    assert schedule.func == "core.tasks.publish_scheduled_pages"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 5
    assert schedule.repeats == -1


def test_a_changed_schedule_is_updated_not_duplicated():
    Schedule.objects.filter(name="task-heartbeat").update(minutes=60)
    ensure_schedules()
    assert Schedule.objects.get(name="task-heartbeat").minutes == 1


def test_expired_sessions_are_cleared_every_day(client):
    """Messages live in the session, so anonymous visitors leave session rows behind."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from core.tasks import clear_expired_sessions

    session = client.session
    session["seen"] = True
    session.save()
    Session.objects.create(session_key="expired" * 4, session_data="", expire_date=timezone.now())

    clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [session.session_key]
    assert Schedule.objects.get(name="clear-expired-sessions").minutes == 24 * 60


def test_a_retired_schedule_is_removed():
    Schedule.objects.create(
        name="resume-campaign-updates", func="campaigns.tasks.resume_update_sends", minutes=10
    )
    ensure_schedules()
    assert not Schedule.objects.filter(name="resume-campaign-updates").exists()
    assert Schedule.objects.get(name="resume-outbox-sends").func == (
        "core.outbox.resume_open_sends"
    )
