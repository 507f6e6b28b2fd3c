"""An inactive volunteer opens the warning's link in Chromium and keeps their details."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from tests.e2e.axe import serious_violations
from tests.factories import add_volunteer, build_site
from volunteers.models import Volunteer
from volunteers.retention import warn_inactive_volunteers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEEP_LINK = re.compile(r"https?://\S+/volunteer/keep/[^\s\"<>]+/")


@pytest.fixture
def warned(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    build_site()
    volunteer = add_volunteer(email="asha@example.org", name="Asha Rao")
    long_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    Volunteer.objects.filter(pk=volunteer.pk).update(created_at=long_ago)
    assert warn_inactive_volunteers() == 1
    return volunteer


def test_keeping_my_details(live_server, warned, page):
    page.goto(KEEP_LINK.search(mail.outbox[-1].body).group())
    assert page.locator("h1").inner_text() == "Keep your volunteer details"
    assert serious_violations(page) == []

    page.get_by_role("button", name="Keep my details").click()
    page.wait_for_url("**/volunteer/my/**")
    assert "we will keep your details" in page.content()
    assert serious_violations(page) == []
    warned.refresh_from_db()
    assert warned.kept_details_at is not None
    assert warned.inactivity_warning_sent_at is None
