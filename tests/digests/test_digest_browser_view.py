"""The "view in your browser" page: the digest as sent, minus anything restricted or personal."""

import datetime

import pytest
from django.core import mail

from digests import dispatching
from digests.models import DigestIssue, Subscription
from prayer.models import PrayerRequest

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)
CANARY = "CANARY-restricted-5521"


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def issue(site_pages, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW, tick=False)
    PrayerRequest.objects.create(
        title="Shelter for two sisters",
        public_text="Pray for a safe place.",
        restricted_text=f"They are at {CANARY}.",
        status="approved",
        approved_at=NOW - datetime.timedelta(hours=1),
    )
    Subscription.objects.create(
        email="vetted@example.org",
        status="active",
        frequency="daily",
        wants_restricted=True,
        restricted_verified=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispatching.dispatch()
    return DigestIssue.objects.get()


def test_restricted_issue_email_has_the_canary_but_the_browser_page_never(client, issue):
    [message] = mail.outbox
    assert issue.includes_restricted
    assert CANARY in message.body

    response = client.get(f"/pray/digests/{issue.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Shelter for two sisters" in page
    assert "Pray for a safe place." in page
    assert CANARY not in page
    assert CANARY not in issue.browser_html


def test_page_has_one_h1_and_no_personal_links(client, issue):
    page = client.get(f"/pray/digests/{issue.pk}/").content.decode()
    assert page.count("<h1") == 1
    assert "vetted@example.org" not in page
    assert "%recipient." not in page
    assert "/pray/unsubscribe/" not in page
    assert 'name="robots" content="noindex"' in page


def test_unknown_issue_is_404(client, site_pages):
    assert client.get("/pray/digests/999999/").status_code == 404


def test_non_numeric_id_is_404(client, site_pages):
    assert client.get("/pray/digests/1%27%20OR%201=1/").status_code == 404
