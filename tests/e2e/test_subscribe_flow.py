"""A visitor subscribes in Chromium, confirms from the email, then changes preferences."""

import re

import pytest
from django.core import mail

from digests.models import Subscription
from prayer.models import Topic
from tests.e2e.axe import serious_violations
from tests.factories import build_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def prayer_site(transactional_db, settings, live_server):
    build_site()
    settings.SITE_URL = live_server.url
    Topic.objects.create(name="Children at risk", slug="children-at-risk")
    Topic.objects.create(name="Vocational training", slug="vocational-training")


def link_in_last_email(part):
    return next(link for link in LINK.findall(mail.outbox[-1].body) if part in link)


def test_subscribe_confirm_and_change_preferences(live_server, prayer_site, browser):
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto(live_server.url + "/pray/subscribe/")

    assert page.locator("h1").count() == 1
    assert page.get_by_label("Your time zone").input_value() == "Europe/Berlin", (
        "timezone.js preselects the browser's zone"
    )
    assert serious_violations(page) == []

    page.get_by_label("Email address").fill("Ruth@Example.org")
    page.get_by_label("Your name (optional)").fill("Ruth")
    page.get_by_label("Children at risk").check()
    page.get_by_role("radio", name="Weekly").check()
    page.get_by_label("Day of the week").select_option(label="Thursday")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/pray/subscribe/check-your-email/")
    assert page.locator("h1").inner_text() == "Check your email"

    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.pending_changes["time_zone"] == "Europe/Berlin", "applied by the link"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ruth@example.org"]

    page.goto(link_in_last_email("/pray/confirm/"))
    page.get_by_role("button", name="Confirm my subscription").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thank you for praying with us"
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.time_zone == "Europe/Berlin"

    page.get_by_role("link", name="Change your preferences").click()
    page.wait_for_url("**/pray/preferences/**")
    assert serious_violations(page) == []
    page.get_by_label("Children at risk").uncheck()
    page.get_by_label("Vocational training").check()
    assert page.get_by_label("Day of the week").is_visible()
    page.get_by_role("radio", name="Monthly").check()
    assert page.get_by_label("Day of the week").is_hidden(), "only weekly updates have a day"
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_load_state()

    assert "Your preferences are saved." in page.locator("main").inner_text()
    assert page.get_by_role("radio", name="Monthly").is_checked()
    assert page.get_by_label("Vocational training").is_checked()
    subscription.refresh_from_db()
    assert subscription.frequency == "monthly"
    assert [topic.name for topic in subscription.topics.all()] == ["Vocational training"]
    context.close()


def test_the_day_of_the_week_shows_only_for_weekly_updates(live_server, prayer_site, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/pray/subscribe/")
    weekday = page.get_by_label("Day of the week")

    assert page.get_by_role("radio", name="Weekly").is_checked()
    assert weekday.is_visible()
    page.get_by_role("radio", name="Daily").check()
    assert weekday.is_hidden()
    page.get_by_role("radio", name="Monthly").check()
    assert weekday.is_hidden()
    page.get_by_role("radio", name="Weekly").check()
    assert weekday.is_visible()
    context.close()

    # Without JavaScript the field stays, and says when it counts.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/pray/subscribe/")
    page.get_by_role("radio", name="Daily").check()
    assert page.get_by_label("Day of the week").is_visible()
    assert page.get_by_text("For weekly updates only.").is_visible()
    context.close()
