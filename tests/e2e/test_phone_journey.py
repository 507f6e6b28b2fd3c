"""The issue's whole journey on a phone (390 x 844): a visitor reads a story, subscribes to prayer
updates from its call to action, confirms from the email, then finds "Pray" behind the Menu
button and joins the prayer calendar, and no page on the way scrolls sideways."""

import re

import pytest
from django.core import mail
from wagtail.models import Site

from digests.models import Subscription
from prayer.models import PrayPage
from tests.factories import add_prayer_calendar, add_story, build_site, way_in
from tests.prayer.request_helpers import make_wall
from vigils.models import CalendarSubscription
from website.models import WaysInSettings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def phone_site(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    home, news = build_site()
    add_story(news, title="Asha learns to sew", slug="asha")
    wall = make_wall(home)
    calendar = add_prayer_calendar(home, title="21 days of prayer", days=3)
    pray = PrayPage(
        title="Pray",
        slug="pray",
        show_in_menus=True,
        intro="Every way to pray with us.",
        ways=[
            way_in("The prayer wall", "Open the prayer wall", page=wall, kind="way"),
            way_in("Pray by email", "Receive prayer updates", form="prayer_updates", kind="way"),
            way_in("The prayer calendar", "Pray through the calendar", page=calendar, kind="way"),
        ],
    )
    home.add_child(instance=pray)
    pray.save_revision().publish()
    WaysInSettings.objects.create(
        site=Site.objects.get(is_default_site=True),
        calls_to_action=[way_in("Pray by email", "Receive prayer updates", form="prayer_updates")],
    )


def link_in_last_email(to, part):
    message = next(m for m in reversed(mail.outbox) if m.to == [to])
    return next(link for link in LINK.findall(message.body) if part in link)


def fits_the_screen(phone):
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_from_a_story_to_prayer_updates_and_the_calendar_on_a_phone(
    live_server, phone_site, browser
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Asia/Tokyo")
    phone = context.new_page()
    visited = []

    def check_fit():
        visited.append(phone.url)
        assert fits_the_screen(phone), f"{phone.url} scrolls sideways on a phone"

    phone.goto(live_server.url + "/stories/asha/")
    check_fit()
    phone.get_by_role("region", name="Pray and take part").get_by_role(
        "link", name="Receive prayer updates"
    ).click()
    phone.wait_for_url("**/pray/subscribe/")
    check_fit()
    phone.get_by_label("Email address").fill("asha.reader@example.org")
    phone.get_by_role("radio", name="Weekly").check()
    phone.get_by_role("button", name="Subscribe").click()
    phone.wait_for_url("**/pray/subscribe/check-your-email/")
    check_fit()

    phone.goto(link_in_last_email("asha.reader@example.org", "/pray/confirm/"))
    check_fit()
    phone.get_by_role("button", name="Confirm my subscription").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Thank you for praying with us"
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE

    phone.locator("summary", has_text="Menu").click()
    phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Pray", exact=True
    ).click()
    phone.wait_for_url("**/pray/")
    check_fit()
    phone.get_by_role("link", name="Pray through the calendar").click()
    phone.wait_for_url("**/21-days-of-prayer/")
    check_fit()
    phone.get_by_label("Email address").fill("asha.reader@example.org")
    phone.get_by_role("button", name="Send me each day").click()
    phone.wait_for_load_state()
    check_fit()
    assert phone.locator("h1").inner_text() == "Check your email"

    phone.goto(link_in_last_email("asha.reader@example.org", "/pray/calendars/confirm/"))
    check_fit()
    phone.get_by_role("button", name="Confirm").click()
    phone.wait_for_load_state()
    check_fit()
    subscription = CalendarSubscription.objects.get()
    assert subscription.confirmed_at is not None
    assert subscription.time_zone == "Asia/Tokyo", "the phone's zone was preselected"
    assert len(visited) == 9
    context.close()
