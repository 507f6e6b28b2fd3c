"""A supporter sends a prayer request; a prayer moderator signs in with her authenticator
app, finds it in the back office, approves it, and sees it on the public prayer wall."""

import pytest

from prayer.models import PrayerRequest
from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.prayer.request_helpers import make_topic, make_wall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUEST = "Pray for the girls starting the tailoring course on Monday."


@pytest.fixture
def wall(back_office):
    home, _news = back_office
    make_topic("Vocational training")
    return make_wall(home)


def test_moderator_approves_a_submitted_request_and_it_reaches_the_wall(live_server, wall, browser):
    moderator, secret = staff_member("Prayer moderators", "grace@example.org")

    supporter = browser.new_page()
    problems = watch(supporter)
    supporter.goto(live_server.url + "/pray/request/")
    supporter.get_by_label("Your prayer request").fill(REQUEST)
    supporter.get_by_label("A short title (optional)").fill("Tailoring course")
    supporter.get_by_label("Topic").select_option(label="Vocational training")
    supporter.get_by_label("You may publish my request on the prayer wall").check()
    supporter.get_by_role("button", name="Send my prayer request").click()
    supporter.wait_for_url("**/pray/request/thanks/")
    assert PrayerRequest.objects.get().status == PrayerRequest.Status.SUBMITTED
    supporter.goto(live_server.url + wall.url)
    assert "Tailoring course" not in supporter.locator("main").inner_text(), "held for moderation"

    page = browser.new_page()
    watch(page, problems)
    sign_in(page, live_server.url, moderator, secret)

    page.get_by_role("button", name="Prayer").click()
    page.get_by_role("link", name="Prayer requests").click()
    page.wait_for_url("**/admin/snippets/prayer/prayerrequest/**")
    row = page.get_by_role("row").filter(has_text="Tailoring course")
    assert "Submitted" in row.inner_text()
    row.get_by_role("button", name="More options").click()
    row.get_by_role("link", name="Approve").click()
    page.wait_for_url("**/moderate/**/approve/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/admin/snippets/prayer/prayerrequest/")
    assert "approved for the wall" in page.get_by_role("status").inner_text()

    approved = PrayerRequest.objects.get()
    assert approved.status == PrayerRequest.Status.APPROVED
    assert approved.moderated_by == moderator

    supporter.goto(live_server.url + wall.url)
    assert "Tailoring course" in supporter.locator("main").inner_text()
    assert REQUEST in supporter.locator("main").inner_text()
    assert problems == [], "\n".join(problems)
