"""The submitter's name and address are forgotten 90 days after moderation."""

import datetime

import pytest
from django.utils import timezone

from prayer.models import PrayerRequest
from prayer.tasks import forget_submitter_contacts

pytestmark = pytest.mark.django_db


def submission(moderated_days_ago, **fields):
    moderated_at = (
        None
        if moderated_days_ago is None
        else timezone.now() - datetime.timedelta(days=moderated_days_ago)
    )
    return PrayerRequest.objects.create(
        title="Exams",
        public_text="Please pray for the girls sitting their exams.",
        submitter_name="Ruth",
        submitter_email="ruth@example.org",
        wants_reply=True,
        status="approved" if moderated_at else "submitted",
        moderated_at=moderated_at,
        **fields,
    )


def test_contacts_go_after_the_retention_period_and_the_request_stays():
    old = submission(91)
    recent = submission(89)
    waiting = submission(None)

    assert forget_submitter_contacts() == 1

    old.refresh_from_db()
    assert (old.submitter_name, old.submitter_email, old.wants_reply) == ("", "", False)
    assert old.public_text.startswith("Please pray")
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.submitter_email == "ruth@example.org"
    assert forget_submitter_contacts() == 0


def test_the_period_is_a_setting(settings):
    settings.RETENTION_PRAYER_CONTACT_DAYS = 30
    submission(31)

    assert forget_submitter_contacts() == 1


def test_nothing_personal_is_logged(caplog):
    submission(120)

    with caplog.at_level("INFO"):
        forget_submitter_contacts()

    assert "ruth" not in caplog.text.lower()
    assert "1 prayer requests" in caplog.text
