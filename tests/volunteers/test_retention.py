"""Volunteers inactive too long: a warning email, then anonymisation, unless they stay."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from core.models import OutboundEmail, Suppression
from tests.factories import UserFactory, add_check, add_opportunity, add_shift, add_volunteer
from tests.volunteers.helpers import path_of
from volunteers import retention
from volunteers.models import SafeguardingCheck, SignUp, Volunteer
from volunteers.retention import anonymise_inactive_volunteers, warn_inactive_volunteers

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# The volunteer's last shift ends at SEEN. With the default settings (24 months, 30 days)
# the warning is due 30 days before 10 January 2026, and anonymisation on that day.
SEEN = datetime.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
ANONYMISE_AT = datetime.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
WARN_AT = ANONYMISE_AT - datetime.timedelta(days=30)
DAY = datetime.timedelta(days=1)
KEEP_LINK = re.compile(r"https?://\S+/volunteer/keep/[^\s\"<>]+/")


@pytest.fixture
def opportunity(site_pages):
    home, _news = site_pages
    return add_opportunity(home)


@pytest.fixture
def at(time_machine):
    def move(moment):
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def volunteer(opportunity, at):
    """Joined two months before SEEN and served one three-hour shift that ended at SEEN."""
    at(SEEN - 60 * DAY)
    person = add_volunteer(email="asha@example.org", name="Asha Rao", notes="Keys to room 2")
    add_check(person, verified_on=(SEEN - 50 * DAY).date(), reference="PC-1234")
    worked(opportunity, person, ends_at=SEEN)
    return person


def worked(opportunity, volunteer, ends_at):
    shift = add_shift(opportunity, starts_at=ends_at - datetime.timedelta(hours=3), capacity=3)
    return SignUp.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignUp.Status.CONFIRMED,
        attendance=SignUp.Attendance.ATTENDED,
        created_at=ends_at - 10 * DAY,
    )


def warnings_to(address):
    return [m for m in mail.outbox if m.to == [address] and "keep your" in m.subject.lower()]


def test_warned_30_days_before_then_anonymised_and_not_before(volunteer, at):
    at(WARN_AT - DAY)
    assert warn_inactive_volunteers() == 0, "23 months and 29 days: too early to warn"

    at(WARN_AT)
    assert warn_inactive_volunteers() == 1
    assert len(warnings_to("asha@example.org")) == 1

    at(ANONYMISE_AT - datetime.timedelta(minutes=1))
    assert anonymise_inactive_volunteers() == 0, "not a minute before the 24 months"
    assert warn_inactive_volunteers() == 0, "never warned twice for the same period"

    at(ANONYMISE_AT)
    assert anonymise_inactive_volunteers() == 1
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at == ANONYMISE_AT
    assert (volunteer.name, volunteer.phone, volunteer.notes) == ("Former volunteer", "", "")
    assert not SafeguardingCheck.objects.exists()

    assert anonymise_inactive_volunteers() == 0, "a rerun does nothing more"
    at(ANONYMISE_AT + 400 * DAY)
    assert warn_inactive_volunteers() == 0, "an anonymised profile is never emailed"
    assert anonymise_inactive_volunteers() == 0


def test_counts_and_hours_survive_anonymisation(volunteer, opportunity, at):
    worked(opportunity, volunteer, ends_at=SEEN - 20 * DAY)
    at(WARN_AT)
    warn_inactive_volunteers()
    at(ANONYMISE_AT)
    anonymise_inactive_volunteers()

    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is not None
    assert volunteer.signups.filter(attendance=SignUp.Attendance.ATTENDED).count() == 2
    assert volunteer.hours_served == 6


def test_never_anonymised_without_a_warning_old_enough(volunteer, at):
    at(ANONYMISE_AT + 200 * DAY)
    assert anonymise_inactive_volunteers() == 0, "no warning was ever sent"

    assert warn_inactive_volunteers() == 1, "a late warning still gives the full 30 days"
    at(ANONYMISE_AT + 229 * DAY)
    assert anonymise_inactive_volunteers() == 0
    at(ANONYMISE_AT + 230 * DAY)
    assert anonymise_inactive_volunteers() == 1


def test_the_warning_email(volunteer, at, settings):
    at(WARN_AT)
    warn_inactive_volunteers()

    (message,) = warnings_to("asha@example.org")
    assert message.subject == "Shall we keep your volunteer details?"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "List-Unsubscribe" not in message.extra_headers, "a notice, not bulk mail"
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Dear Asha Rao" in body
        assert "10 January 2026" in body
        assert "24 months" in body
        assert KEEP_LINK.search(body)
        assert "/volunteer/my/" in body
    assert 'class="button"' in html and "Keep my details" in html
    assert "<" not in message.body


def test_keep_my_details_cancels_the_anonymisation(client, volunteer, at):
    at(WARN_AT)
    warn_inactive_volunteers()
    keep = path_of(KEEP_LINK.search(warnings_to("asha@example.org")[0].body).group())

    at(WARN_AT + 3 * DAY)
    page = client.get(keep)
    assert page.status_code == 200
    assert b"Keep my details" in page.content and b'<form method="post"' in page.content
    volunteer.refresh_from_db()
    assert volunteer.kept_details_at is None, "a GET (a link scanner) changes nothing"

    response = client.post(keep)
    assert response.status_code == 302
    assert "/volunteer/my/" in response["Location"]
    volunteer.refresh_from_db()
    assert volunteer.kept_details_at == WARN_AT + 3 * DAY
    assert volunteer.inactivity_warning_sent_at is None

    at(ANONYMISE_AT + 60 * DAY)
    assert anonymise_inactive_volunteers() == 0
    assert warn_inactive_volunteers() == 0, "a new period began when they chose to stay"
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is None and volunteer.name == "Asha Rao"

    next_warning = retention.add_months(WARN_AT + 3 * DAY, 24) - 30 * DAY
    at(next_warning)
    assert warn_inactive_volunteers() == 1, "the next period gets its own warning"


def test_activity_after_the_warning_voids_it(volunteer, opportunity, at):
    at(WARN_AT)
    warn_inactive_volunteers()
    at(WARN_AT + 5 * DAY)
    shift = add_shift(opportunity, starts_at=WARN_AT + 10 * DAY)
    SignUp.objects.create(shift=shift, volunteer=volunteer, status=SignUp.Status.CONFIRMED)

    at(ANONYMISE_AT + 90 * DAY)
    assert anonymise_inactive_volunteers() == 0
    assert warn_inactive_volunteers() == 0


ACTIVITIES = {
    "a sign-up made recently": lambda volunteer, opportunity: SignUp.objects.create(
        shift=add_shift(opportunity, starts_at=SEEN),
        volunteer=volunteer,
        status=SignUp.Status.CANCELLED,
        created_at=WARN_AT - 20 * DAY,
    ),
    "a shift worked recently": lambda volunteer, opportunity: worked(
        opportunity, volunteer, ends_at=WARN_AT - 20 * DAY
    ),
    "a future shift booked long ago": lambda volunteer, opportunity: SignUp.objects.create(
        shift=add_shift(opportunity, starts_at=ANONYMISE_AT + 100 * DAY),
        volunteer=volunteer,
        status=SignUp.Status.WAITLISTED,
        created_at=SEEN,
    ),
    "a check verified recently": lambda volunteer, opportunity: add_check(
        volunteer, verified_on=(WARN_AT - 20 * DAY).date()
    ),
    "a sign-in with the linked account": lambda volunteer, opportunity: Volunteer.objects.filter(
        pk=volunteer.pk
    ).update(user=UserFactory(last_login=WARN_AT - 20 * DAY)),
    "a profile created recently": lambda volunteer, opportunity: Volunteer.objects.filter(
        pk=volunteer.pk
    ).update(created_at=WARN_AT - 20 * DAY),
}


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_a_volunteer_with_recent_activity_is_never_warned(volunteer, opportunity, at, activity):
    ACTIVITIES[activity](volunteer, opportunity)

    for moment in (WARN_AT, ANONYMISE_AT, ANONYMISE_AT + 40 * DAY):
        at(moment)
        assert warn_inactive_volunteers() == 0
        assert anonymise_inactive_volunteers() == 0
    assert not warnings_to("asha@example.org")
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is None


def test_an_unconfirmed_sign_up_is_not_activity(volunteer, opportunity, at):
    """Anyone can type an address into the form: only a followed link proves it is theirs."""
    SignUp.objects.create(
        shift=add_shift(opportunity, starts_at=ANONYMISE_AT + 100 * DAY),
        volunteer=volunteer,
        status=SignUp.Status.PENDING_EMAIL,
        created_at=WARN_AT - DAY,
    )
    at(WARN_AT)
    assert warn_inactive_volunteers() == 1


def test_the_warning_is_claimed_once_even_from_a_stale_read(volunteer, at, monkeypatch):
    at(WARN_AT)
    stale = list(retention.candidates(timezone.now()))
    assert warn_inactive_volunteers() == 1

    monkeypatch.setattr(retention, "candidates", lambda now: stale)
    assert warn_inactive_volunteers() == 0, "another worker's read came too late to claim it"
    assert len(warnings_to("asha@example.org")) == 1


def test_periods_are_settings(volunteer, at, settings):
    settings.RETENTION_VOLUNTEER_INACTIVE_MONTHS = 6
    settings.RETENTION_VOLUNTEER_WARNING_DAYS = 10
    six_months = datetime.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)

    at(six_months - 11 * DAY)
    assert warn_inactive_volunteers() == 0
    at(six_months - 10 * DAY)
    assert warn_inactive_volunteers() == 1
    at(six_months - DAY)
    assert anonymise_inactive_volunteers() == 0
    at(six_months)
    assert anonymise_inactive_volunteers() == 1


@pytest.mark.parametrize("token", ["", "x", "a" * 400, "<script>", "1:2:3", "%00"])
def test_a_bad_keep_link_is_refused(client, token):
    response = client.post(f"/volunteer/keep/{token}/")
    assert response.status_code in (404, 400)


def test_the_keep_link_stops_working_once_anonymised(client, volunteer, at):
    at(WARN_AT)
    warn_inactive_volunteers()
    keep = path_of(KEEP_LINK.search(warnings_to("asha@example.org")[0].body).group())
    at(ANONYMISE_AT)
    anonymise_inactive_volunteers()

    assert client.get(keep).status_code == 404
    assert client.post(keep).status_code == 404
    volunteer.refresh_from_db()
    assert volunteer.kept_details_at is None


def test_the_keep_page_is_private_and_accessible(client, volunteer, at):
    at(WARN_AT)
    warn_inactive_volunteers()
    keep = path_of(KEEP_LINK.search(warnings_to("asha@example.org")[0].body).group())

    page = client.get(keep)

    content = page.content.decode()
    assert 'name="robots" content="noindex"' in content
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert content.count("<h1") == 1
    assert "<script>" not in content and "style=" not in content


def test_an_undelivered_warning_is_tried_again_the_next_day(volunteer, at, monkeypatch, caplog):
    """The outbox retries a warning the provider refuses; one it gives up on was never given,
    so the next day's run warns again and the 30 days count from that warning."""

    class Refused(Exception):
        status_code = 400

    def provider_refuses(self, messages):
        raise Refused("refused for asha@example.org")

    at(WARN_AT)
    monkeypatch.setattr(outbox_backend(), "send_messages", provider_refuses)
    assert warn_inactive_volunteers() == 1, "claimed and written to the outbox"
    assert OutboundEmail.objects.get(kind=retention.WARNING_KIND).status == "failed"
    assert warnings_to("asha@example.org") == []
    assert "asha@example.org" not in caplog.text

    monkeypatch.undo()
    at(WARN_AT + DAY)
    assert warn_inactive_volunteers() == 1
    assert len(warnings_to("asha@example.org")) == 1
    at(ANONYMISE_AT)
    assert anonymise_inactive_volunteers() == 0, "30 days from the warning actually sent"
    at(ANONYMISE_AT + DAY)
    assert anonymise_inactive_volunteers() == 1


def test_a_warning_to_a_suppressed_address_counts_as_given(volunteer, at):
    """It can never be delivered: waiting for it would keep the profile for ever."""
    Suppression.objects.create(email="asha@example.org", reason="hard_bounce", active=True)
    at(WARN_AT)
    assert warn_inactive_volunteers() == 1
    assert OutboundEmail.objects.get(kind=retention.WARNING_KIND).status == "suppressed"
    at(ANONYMISE_AT)
    assert anonymise_inactive_volunteers() == 1


def outbox_backend():
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.EMAIL_BACKEND)
