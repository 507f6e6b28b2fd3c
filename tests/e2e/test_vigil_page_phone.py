"""The vigil and calendar pages on a 390 px phone: no sideways scroll, one load, the
visitor's own time zone (issue 16)."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from tests.e2e.axe import serious_violations
from tests.factories import add_prayer_calendar, add_vigil, build_site
from vigils.models import VigilSignup, VigilSlot
from vigils.slots import slot_key

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
# A phone widens its layout viewport to fit a page wider than the screen (the old grid made
# it 1,560 px with a 5,933 px scroll width): check both the scroll and the viewport.
SCROLLS_SIDEWAYS = (
    "document.documentElement.scrollWidth > window.innerWidth || window.innerWidth > 390"
)


@pytest.fixture
def site(transactional_db, settings, live_server):
    home, _ = build_site()
    settings.SITE_URL = live_server.url
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    vigil = add_vigil(
        home,
        title="A month of prayer",
        time_zone="Europe/London",
        start_date=tomorrow,
        start_time=datetime.time(0),
        end_date=tomorrow + datetime.timedelta(days=31),
        end_time=datetime.time(0),
        slot_minutes=15,
        capacity=2,
    )
    calendar = add_prayer_calendar(home, title="40 days of prayer", days=40)
    return vigil, calendar


def test_vigil_page_on_a_phone_loads_once_in_the_visitors_zone_without_sideways_scroll(
    live_server, site, browser
):
    vigil, _ = site
    context = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.goto(live_server.url + vigil.url)
    page.wait_for_load_state("networkidle")

    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "navigate"
    assert "tz=" not in page.url, "no second load to pass the zone"
    assert not page.evaluate(SCROLLS_SIDEWAYS)

    # The host is in London; the times read in India's time, as the browser's zone.
    first = VigilSlot.objects.filter(vigil=vigil).order_by("starts_at").first()
    local = first.starts_at.astimezone(KOLKATA)
    local_end = first.ends_at.astimezone(KOLKATA)
    cell = page.locator(f"#slot-{slot_key(first.starts_at)}")
    assert f"{local:%H:%M}–{local_end:%H:%M}" in cell.inner_text()
    # Chromium may name the zone by its older alias, Asia/Calcutta: the list has both.
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert zone in ("Asia/Kolkata", "Asia/Calcutta")
    assert f"in {zone} time" in page.locator("caption").inner_text()
    assert page.get_by_label("Your time zone").input_value() == zone
    assert page.locator('input[name="time_zone"]').input_value() == zone
    assert serious_violations(page) == []
    # The pulse's link to the next slot to fill opens its day in the visitor's zone.
    fill = page.get_by_role("link", name="Fill this slot").get_attribute("href")
    assert f"day={local:%Y-%m-%d}#pick-{slot_key(first.starts_at)}" in fill
    assert f"tz={zone.replace('/', '%2F')}" in fill

    # Another day, by its link: still one page, still no sideways scroll.
    page.get_by_role("navigation", name="Days of the vigil").get_by_role("link").nth(2).click()
    page.wait_for_load_state("networkidle")
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    assert page.locator('input[name="slots"]').count() > 0
    context.close()


def test_calendar_page_on_a_phone_has_no_sideways_scroll(live_server, site, browser):
    _, calendar = site
    context = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.goto(live_server.url + calendar.url)
    page.wait_for_load_state("networkidle")

    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    assert serious_violations(page) == []
    context.close()


def test_slots_ticked_on_two_days_go_in_one_sign_up(live_server, site, browser):
    vigil, _ = site
    context = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.goto(live_server.url + vigil.url)
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at"))
    first, later = slots[4], slots[2 * 96 + 8]  # the first day (London) and the third

    page.locator(f"#pick-{slot_key(first.starts_at)}").check()
    page.get_by_role("navigation", name="Days of the vigil").get_by_role("link").nth(2).click()
    page.wait_for_load_state()
    assert "You also ticked 1 slot on other days" in page.locator("form.vigil-signup").inner_text()
    page.locator(f"#pick-{slot_key(later.starts_at)}").check()
    page.get_by_label("Email address").fill("ruth@example.org")
    page.get_by_role("button", name="Sign up for these slots").click()
    page.wait_for_url("**/pray/vigils/check-your-email/")

    signup = VigilSignup.objects.get()
    assert sorted(signup.pending_request["slots"]) == [
        first.starts_at.isoformat(),
        later.starts_at.isoformat(),
    ]
    # Sent: going back to the vigil starts afresh.
    page.goto(live_server.url + vigil.url)
    assert page.locator('input[name="slots"]:checked').count() == 0
    assert page.locator("[data-vigil-elsewhere]").is_hidden()
    context.close()


def test_without_javascript_the_zone_form_and_day_links_work(live_server, site, browser):
    vigil, _ = site
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + vigil.url)
    assert "in Europe/London time" in page.locator("caption").inner_text()
    # page.evaluate runs even with the page's scripts off: the layout is measured alike.
    assert not page.evaluate(SCROLLS_SIDEWAYS)

    page.get_by_label("Your time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_url("**tz=Asia%2FTokyo**")
    assert "in Asia/Tokyo time" in page.locator("caption").inner_text()
    page.get_by_role("navigation", name="Days of the vigil").get_by_role("link").nth(3).click()
    page.wait_for_url(re.compile(r"tz=Asia(%2F|/)Tokyo&day=\d{4}-\d\d-\d\d$"))
    assert "in Asia/Tokyo time" in page.locator("caption").inner_text()
    assert page.locator('input[name="time_zone"]').input_value() == "Asia/Tokyo"
    context.close()
