"""A visitor in New York signs up for two vigil slots in Chromium and sees the grid change."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from tests.e2e.axe import serious_violations
from tests.factories import add_vigil, build_site
from vigils.models import SlotBooking, VigilSlot
from vigils.slots import slot_key

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<>]+")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def vigil(transactional_db, settings, live_server):
    home, _ = build_site()
    settings.SITE_URL = live_server.url
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return add_vigil(
        home,
        title="Night of prayer",
        time_zone="Europe/London",
        start_date=tomorrow,
        start_time=datetime.time(18),
        end_date=tomorrow + datetime.timedelta(days=1),
        end_time=datetime.time(0),
        capacity=1,
    )


def test_sign_up_for_two_slots_and_see_the_grid_update(live_server, vigil, browser):
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + vigil.url)

    page.wait_for_load_state()
    assert "tz=" not in page.url, "the grid is shown in the visitor's zone without a reload"
    assert "in America/New_York time" in page.locator("caption").inner_text()
    assert "0% covered" in page.locator("#vigil-coverage").inner_text()
    assert serious_violations(page) == []

    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at")[:2])
    first_local = slots[0].starts_at.astimezone(NEW_YORK)
    for slot in slots:
        page.locator(f"#pick-{slot_key(slot.starts_at)}").check()
    assert page.get_by_label("Your time zone").input_value() == "America/New_York"
    page.get_by_label("Email address").fill("Ruth@Example.org")
    page.get_by_label("Name in the public grid (optional)").fill("Ruth")
    page.get_by_role("button", name="Sign up for these slots").click()
    page.wait_for_url("**/pray/vigils/check-your-email/")
    assert page.locator("h1").inner_text() == "Check your email"
    assert SlotBooking.objects.count() == 0

    confirm = next(link for link in LINK.findall(mail.outbox[-1].body) if "/confirm/" in link)
    first_end = slots[0].ends_at.astimezone(NEW_YORK)
    # "13:00–14:00 EST": the visitor's zone, 24 hours, an en dash
    assert f"{first_local:%H:%M}–{first_end:%H:%M} {first_local:%Z}" in mail.outbox[-1].body
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my slots").click()
    page.wait_for_url("**/pray/vigils/my-slots/**")
    assert "You are signed up for 2 slots" in page.locator("main").inner_text()
    assert serious_violations(page) == []
    booked = mail.outbox[-1]
    assert booked.attachments and booked.attachments[0][0] == "prayer-vigil.ics"

    page.get_by_role("link", name="Sign up for more slots").click()
    page.wait_for_load_state()
    for slot in slots:
        cell = page.locator(f"#slot-{slot_key(slot.starts_at)}")
        assert "Covered" in cell.inner_text() and "Ruth" in cell.inner_text()
        assert cell.locator("input").count() == 0, "a full slot can no longer be ticked"
    percent = round(100 * 2 / VigilSlot.objects.filter(vigil=vigil).count())
    assert f"{percent}% covered" in page.locator("#vigil-coverage").inner_text()
    context.close()
