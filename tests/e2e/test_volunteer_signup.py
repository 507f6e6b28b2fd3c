"""A new visitor signs up for a shift in Chromium, confirms from the email, and opens the
calendar file."""

import re

import pytest
from django.core import mail

from tests.e2e.axe import serious_violations
from tests.factories import add_opportunity, add_shift, build_site
from volunteers.models import SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def shift(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.PUBLIC_FORM_MIN_FILL_SECONDS = 0
    home, _news = build_site()
    opportunity = add_opportunity(home, title="Teach at the drop-in centre")
    return add_shift(opportunity, capacity=2)


def test_new_visitor_signs_up_and_gets_the_calendar_file(live_server, shift, browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + "/volunteer-with-us/")
    page.get_by_role("link", name="Teach at the drop-in centre").click()
    assert "CANARY-ADDRESS" not in page.content()
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile(r"^Sign up")).first.click()
    page.wait_for_url("**/sign-up/")
    assert serious_violations(page) == []

    page.get_by_label("Your name").fill("प्रिया D'Souza")
    page.get_by_label("Email address").fill("Priya@Example.org")
    page.get_by_label("Phone number").fill("+91 98765 43210")
    page.get_by_label("I am at least 18 years old").check()
    page.get_by_label("I will follow the volunteer code of conduct").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/check-your-email/")
    assert page.locator("h1").inner_text() == "Check your email"
    assert SignUp.objects.get().status == "pending_email"

    confirm = next(link for link in LINK.findall(mail.outbox[-1].body) if "/confirm/" in link)
    page.goto(confirm)
    shown = page.locator("main").inner_text()
    assert "प्रिया D'Souza" in shown and "+919876543210" in shown, "the details, before the button"
    page.get_by_role("button", name="Confirm my sign-up").click()
    page.wait_for_url("**/volunteer/my/**")
    assert "You are signed up." in page.locator("main").inner_text()
    assert "CANARY-ADDRESS" in page.locator("main").inner_text(), "confirmed: the address shows"
    assert serious_violations(page) == []
    assert SignUp.objects.get().status == "confirmed"

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Add to calendar")).click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as ics:
        content = ics.read()
    assert "BEGIN:VEVENT" in content and "CANARY-ADDRESS" in content
    assert download.suggested_filename.endswith(".ics")
    context.close()
