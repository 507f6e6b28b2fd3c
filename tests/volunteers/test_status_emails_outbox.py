"""A volunteer's status emails are outbox rows written with the change (core.emails.queue_email),
and the outbox skips one whose sign-up has moved on by the time it is sent."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import single_messages
from core.models import OutboundEmail
from tests.factories import add_opportunity, add_shift, add_volunteer
from volunteers.emails import notify
from volunteers.models import SignUp

pytestmark = pytest.mark.django_db


class Undone(Exception):
    """Raised inside the sign-up's transaction to make it roll back."""


@pytest.fixture
def signup(site_pages):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), capacity=5)
    volunteer = add_volunteer(email="asha@example.org", name="Asha")
    return SignUp.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignUp.Status.WAITLISTED,
        waitlisted_at=timezone.now(),
    )


def test_the_email_commits_with_the_change(signup):
    with pytest.raises(Undone), transaction.atomic():
        notify(signup, "waitlisted")
        raise Undone
    assert not OutboundEmail.objects.exists() and mail.outbox == []

    with transaction.atomic():
        notify(signup, "waitlisted")
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["asha@example.org"]]
    row = OutboundEmail.objects.get()
    assert (row.kind, row.about, row.status) == ("volunteers:waitlisted", str(signup.pk), "sent")


def test_a_status_email_is_skipped_once_the_sign_up_has_moved_on(signup, monkeypatch):
    held = []
    monkeypatch.setattr(single_messages, "queue_single", lambda row_id, kind: held.append(row_id))
    notify(signup, "waitlisted")
    SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CONFIRMED)
    [row_id] = held
    assert single_messages.send_single(row_id) is False
    assert mail.outbox == []
    row = OutboundEmail.objects.get(pk=row_id)
    assert (row.status, row.last_error) == ("suppressed", "No longer wanted at send time.")


def test_the_calendar_travels_with_the_confirmation(signup):
    SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CONFIRMED)
    notify(signup, "confirmed")
    [message] = mail.outbox
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("shift.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content
