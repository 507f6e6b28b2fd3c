"""Issue 7's "done when", in Chromium: a supporter who subscribed to prayer, volunteered and
registered a church before having an account creates one, verifies the address, sees all
three on My Vigil, downloads their data and deletes the account."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from campaigns.models import ChurchRegistration
from digests.models import Subscription
from tests.e2e.axe import serious_violations
from tests.factories import PASSWORD, add_opportunity, add_shift, build_site, open_campaign
from volunteers.models import SignUp, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<>]+")
EMAIL = "ruth@example.org"


@pytest.fixture
def vigil_site(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.PUBLIC_FORM_MIN_FILL_SECONDS = 0
    home, _news = build_site()
    opportunity = add_opportunity(home, title="Teach at the drop-in centre")
    return {
        "shift": add_shift(opportunity, capacity=3),
        "campaign": open_campaign(home, title="Freedom Sunday 2027"),
    }


def link_in_last_email(part):
    return next(link for link in LINK.findall(mail.outbox[-1].body) if part in link)


def subscribe_to_prayer(page, base):
    page.goto(base + "/pray/subscribe/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/check-your-email/")
    page.goto(link_in_last_email("/pray/confirm/"))
    page.get_by_role("button", name="Confirm my subscription").click()
    page.wait_for_load_state()


def volunteer_for_a_shift(page, base, shift):
    page.goto(f"{base}/volunteer/shifts/{shift.pk}/sign-up/")
    page.get_by_label("Your name").fill("Ruth Mensah")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Phone number").fill("+44 7911 123456")
    page.get_by_label("I am at least 18 years old").check()
    page.get_by_label("I will follow the volunteer code of conduct").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/check-your-email/")
    page.goto(link_in_last_email("/volunteer/confirm/"))
    page.get_by_role("button", name="Confirm my sign-up").click()
    page.wait_for_url("**/volunteer/my/**")


def register_a_church(page, base, campaign):
    page.goto(base + campaign.url)
    page.get_by_label("Church name").fill("Grace Community Church")
    page.get_by_label("Town or city").fill("Manchester")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your name").fill("Ruth Mensah")
    page.get_by_label("Your role at the church").fill("Youth leader")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("How many people do you expect on the day?").fill("120")
    page.get_by_label("Pray", exact=True).check()
    page.get_by_label("Send me updates about this campaign by email").check()
    page.get_by_role("button", name="Register our church").click()
    page.wait_for_url("**/thank-you/")


def create_an_account(page, base):
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    page.goto(link_in_last_email("/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    page.goto(base + "/account/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/account/")


def test_a_supporter_joins_first_then_creates_an_account_sees_downloads_and_deletes(
    live_server, vigil_site, browser
):
    base = live_server.url
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    subscribe_to_prayer(page, base)
    volunteer_for_a_shift(page, base, vigil_site["shift"])
    register_a_church(page, base, vigil_site["campaign"])
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    assert SignUp.objects.get().status == SignUp.Status.CONFIRMED

    create_an_account(page, base)
    user = get_user_model().objects.get(email=EMAIL)
    assert Subscription.objects.get().user == user, "attached once the address was verified"
    assert Volunteer.objects.get().user == user

    page.goto(base + "/account/")
    assert page.locator("h1").inner_text() == "My Vigil"
    main = page.locator("main").inner_text()
    assert f"Prayer updates to {EMAIL}" in main
    assert "Teach at the drop-in centre" in main
    assert "Grace Community Church, Manchester" in main
    assert serious_violations(page) == []

    page.get_by_role("link", name="Download your data (JSON)").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert serious_violations(page) == []
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value
    assert download.suggested_filename.startswith("vigil-data-")
    with open(download.path(), encoding="utf-8") as exported:
        data = json.load(exported)
    assert data["prayer_updates"][0]["email"] == EMAIL
    assert data["volunteering"][0]["signups"][0]["opportunity"] == "Teach at the drop-in centre"
    assert data["church_registrations"][0]["church_name"] == "Grace Community Church"

    page.goto(base + "/account/")
    page.get_by_role("link", name="Delete your account").click()
    page.wait_for_url("**/account/delete/")
    assert serious_violations(page) == []
    page.get_by_label("Type your email address to confirm").fill(EMAIL)
    page.get_by_role("button", name="Delete my account and my data").click()
    page.wait_for_url("**/account/deleted/")
    assert page.locator("h1").inner_text() == "Your account is deleted"
    assert serious_violations(page) == []

    assert not get_user_model().objects.exists()
    assert not Subscription.objects.exists()
    assert Volunteer.objects.get().anonymised_at is not None
    assert ChurchRegistration.objects.get().contacts.count() == 0
    assert mail.outbox[-1].to == [EMAIL] and mail.outbox[-1].subject == "Your account is deleted"
    page.goto(base + "/account/")
    assert "/accounts/login/" in page.url
    context.close()
