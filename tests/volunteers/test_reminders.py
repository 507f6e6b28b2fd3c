"""Reminders in the shift's own time zone: the day before and the morning of, never after the
start, never twice; a moved shift is reminded again."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from tests.factories import UserFactory, add_opportunity, add_shift
from volunteers import signups
from volunteers.coordination import shift_saved, snapshot
from volunteers.tasks import send_due_reminders

pytestmark = pytest.mark.django_db

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
START = datetime.datetime(2026, 12, 10, 7, 30, tzinfo=AUCKLAND)


@pytest.fixture
def signup(site_pages):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), starts_at=START, time_zone="Pacific/Auckland")
    with time_machine.travel(START - datetime.timedelta(days=5), tick=False):
        made = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True)
    mail.outbox.clear()
    return made


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return send_due_reminders()


def test_day_before_waits_for_the_morning_in_the_shift_zone(signup):
    assert run_at(datetime.datetime(2026, 12, 9, 8, 59, tzinfo=AUCKLAND)) == 0
    assert run_at(datetime.datetime(2026, 12, 9, 9, 0, tzinfo=AUCKLAND)) == 1
    assert run_at(datetime.datetime(2026, 12, 9, 21, 0, tzinfo=AUCKLAND)) == 0
    # An early shift (07:30): the morning reminder opens two hours before.
    assert run_at(datetime.datetime(2026, 12, 10, 5, 0, tzinfo=AUCKLAND)) == 0
    assert run_at(datetime.datetime(2026, 12, 10, 5, 30, tzinfo=AUCKLAND)) == 1
    assert run_at(datetime.datetime(2026, 12, 10, 6, 0, tzinfo=AUCKLAND)) == 0
    assert len(mail.outbox) == 2
    assert mail.outbox[0].attachments[0][2] == "text/calendar"


def test_never_after_the_start(signup):
    assert run_at(START + datetime.timedelta(minutes=1)) == 0
    assert run_at(START + datetime.timedelta(hours=5)) == 0
    assert mail.outbox == []


def test_a_late_task_cannot_send_after_the_start(signup):
    from volunteers.tasks import send_signup_email

    with time_machine.travel(START + datetime.timedelta(minutes=3), tick=False):
        assert send_signup_email(signup.pk, "reminder-morning") is None
    assert mail.outbox == []


def test_cancelled_signups_get_no_reminder(signup):
    with time_machine.travel(START - datetime.timedelta(days=2), tick=False):
        signups.cancel(signup.pk)
    mail.outbox.clear()
    assert run_at(datetime.datetime(2026, 12, 9, 10, 0, tzinfo=AUCKLAND)) == 0


def test_a_moved_shift_is_reminded_again_and_people_are_told(signup):
    assert run_at(datetime.datetime(2026, 12, 9, 10, 0, tzinfo=AUCKLAND)) == 1
    shift = signup.shift
    with time_machine.travel(datetime.datetime(2026, 12, 9, 11, 0, tzinfo=AUCKLAND), tick=False):
        before = snapshot(shift)
        shift.starts_at += datetime.timedelta(days=2)
        shift.ends_at += datetime.timedelta(days=2)
        shift.save()
        shift_saved(shift, before)
    changed = mail.outbox[-1]
    assert changed.subject.startswith("Your shift has changed")
    assert "SEQUENCE:1" in changed.attachments[0][1]
    assert run_at(datetime.datetime(2026, 12, 11, 9, 30, tzinfo=AUCKLAND)) == 1
