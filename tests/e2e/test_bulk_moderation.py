"""After a campaign, a prayer moderator selects twenty requests in the back office, reads
them all on one confirmation page (a phone number marked for her), approves them in one
step, and finds every one on the public prayer wall."""

import pytest

from prayer.models import PrayerRequest
from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.prayer.request_helpers import make_request, make_wall

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COUNT = 20


@pytest.fixture
def wall(back_office):
    home, _news = back_office
    return make_wall(home)


@pytest.fixture
def campaign_requests():
    requests = [
        make_request(
            f"Freedom Sunday request {number:02d}",
            status=PrayerRequest.Status.SUBMITTED,
            public_text=f"Pray for the family of request {number:02d}: strength and peace.",
        )
        for number in range(COUNT - 1)
    ]
    requests.append(
        make_request(
            "Freedom Sunday request 19",
            status=PrayerRequest.Status.SUBMITTED,
            public_text="Pray for my neighbour, call her on 07700 900123.",
        )
    )
    return requests


def test_moderator_approves_twenty_requests_in_one_step(
    live_server, wall, campaign_requests, browser
):
    moderator, secret = staff_member("Prayer moderators", "grace@example.org")
    page = browser.new_page()
    problems = watch(page)
    sign_in(page, live_server.url, moderator, secret)

    assert f"Prayer requests ({COUNT})" in page.content()
    page.wait_for_load_state("load")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).map(i => i.src)"
    )
    assert broken == [], "every image on the dashboard (the avatar too) is there"
    assert page.locator("img").count() > 0
    page.get_by_role("link", name="Moderate the requests waiting").click()
    page.wait_for_url("**/admin/snippets/prayer/prayerrequest/?status=submitted")

    rows = page.get_by_role("row").filter(has_text="Freedom Sunday request")
    assert rows.count() == COUNT
    for index in range(COUNT):
        rows.nth(index).get_by_role("checkbox", name="Select").check()
    page.get_by_role("link", name="Approve the selected prayer requests").click()
    page.wait_for_url("**/admin/bulk/prayer/prayerrequest/approve/**")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Approve")
    sections = page.locator("[data-bulk-request]")
    assert sections.count() == COUNT
    for prayer_request in campaign_requests:
        section = sections.filter(has_text=prayer_request.title)
        assert prayer_request.public_text in section.inner_text()
    marked = sections.filter(has_text="request 19").locator("blockquote mark")
    assert marked.inner_text() == "07700 900123"
    assert PrayerRequest.objects.filter(status=PrayerRequest.Status.SUBMITTED).count() == COUNT

    page.get_by_role("button", name=f"Yes, approve {COUNT}").click()
    page.wait_for_url("**/admin/snippets/prayer/prayerrequest/**")
    assert f"{COUNT} prayer requests approved." in page.get_by_role("status").first.inner_text()
    assert not PrayerRequest.objects.filter(status=PrayerRequest.Status.SUBMITTED).exists()
    assert set(PrayerRequest.objects.values_list("moderated_by", flat=True)) == {moderator.pk}

    visitor = browser.new_page()
    watch(visitor, problems)
    on_the_wall = ""
    for wall_page in (1, 2):
        visitor.goto(f"{live_server.url}{wall.url}?page={wall_page}")
        on_the_wall += visitor.locator("main").inner_text()
    for prayer_request in campaign_requests:
        assert prayer_request.title in on_the_wall
    assert problems == [], "\n".join(problems)
