"""In Chromium: a volunteer copies their calendar feed's webcal:// address with the copy button,
then cancels a sign-up, which asks once, and is offered the shift again."""

import re

import pytest

from tests.e2e.axe import serious_violations
from tests.factories import add_opportunity, add_shift, build_site
from volunteers import signups
from volunteers.links import manage_path
from volunteers.models import SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signup(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    home, _news = build_site()
    shift = add_shift(add_opportunity(home, title="Teach at the drop-in centre"), capacity=1)
    volunteer = signups.volunteer_for_form("priya@example.org")
    pending = signups.request_signup(volunteer, shift, name="Priya")
    return signups.confirm_email(pending.pk)


RECORDING_CLIPBOARD = """
window.copiedTexts = [];
Object.defineProperty(navigator, "clipboard", {
  configurable: true,
  value: {writeText: (text) => { window.copiedTexts.push(text); return Promise.resolve(); }},
});
"""


def test_copy_the_feed_then_cancel_once_and_sign_up_again(live_server, signup, browser):
    context = browser.new_context()
    # The system clipboard needs the page to have focus, which a page in a busy parallel run
    # may not get (the copy then hung for up to 30 s): record what the script hands it instead.
    context.add_init_script(RECORDING_CLIPBOARD)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + manage_path(signup.volunteer))
    assert serious_violations(page) == []

    subscribe = page.get_by_role("link", name=re.compile("^Subscribe in your calendar app"))
    webcal = subscribe.get_attribute("href")
    host = live_server.url.removeprefix("http://")
    assert re.fullmatch(rf"webcal://{re.escape(host)}/volunteer/feed/[^/]+/calendar\.ics", webcal)
    assert (
        page.get_by_label("Calendar address, to paste into a calendar app").input_value() == webcal
    )
    copy = page.get_by_role("button", name="Copy")
    assert copy.is_visible(), "the script shows the button"
    copy.click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.locator("#feed-url-copied").inner_text() == "Copied"
    assert page.locator("#feed-url-copied").get_attribute("aria-live") == "polite"
    assert page.evaluate("window.copiedTexts") == [webcal]

    page.get_by_role("button", name=re.compile("^Cancel this sign-up")).click()
    page.wait_for_url(re.compile(r"\?cancel="))
    assert page.locator("h1").inner_text() == "Cancel this sign-up?"
    assert serious_violations(page) == []
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED, "asking is not cancelling"

    page.get_by_role("button", name="Yes, cancel this sign-up").click()
    # Back on the manage page: its token is signed anew each second, so match the route only.
    page.wait_for_url(re.compile(r"/volunteer/my/[^/?]+/$"))
    assert "Your sign-up is cancelled." in page.locator("main").inner_text()
    assert dialogs == [], "asked once, on the page, not again in a dialog"
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED

    page.get_by_role("link", name=re.compile("^Sign up again")).click()
    page.wait_for_url(f"**/volunteer/shifts/{signup.shift_id}/sign-up/")
    assert page.get_by_role("button", name=re.compile("Sign up")).count() >= 1
    context.close()


def test_without_javascript_the_address_is_in_a_field_to_copy(live_server, signup, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + manage_path(signup.volunteer))
    field = page.get_by_label("Calendar address, to paste into a calendar app")
    assert field.is_visible() and field.is_editable() is False
    assert field.input_value().startswith("webcal://")
    assert not page.locator("[data-copy-field]").is_visible(), "no button that cannot work"
    context.close()
