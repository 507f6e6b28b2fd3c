"""The woman in a story withdraws her consent: an editor, signed in with her authenticator
app, records it in the back office, and the story leaves the public site at once."""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.factories import add_consent, add_story
from website.models import StoryPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "A sewing machine and a friend"


@pytest.fixture
def story(back_office):
    _home, news = back_office
    story = add_story(news, title=TITLE, slug="sewing-machine")
    add_story(news, title="Forty children, one classroom", slug="classroom")
    add_consent(story, given_by="Asha, in person", given_on=datetime.date(2026, 1, 5))
    return story


def test_editor_records_a_withdrawal_and_the_story_leaves_the_site(live_server, story, browser):
    editor, secret = staff_member("Editors", "ruth@example.org")
    visitor = browser.new_page()
    problems = watch(visitor)
    visitor.goto(live_server.url + "/stories/")
    visitor.get_by_role("link", name=TITLE).first.click()
    visitor.wait_for_url("**/stories/sewing-machine/")

    page = browser.new_page()
    watch(page, problems)
    sign_in(page, live_server.url, editor, secret)
    page.get_by_role("button", name="Consent").click()
    page.get_by_role("link", name="Stories and photos").click()
    page.wait_for_url("**/admin/consent/stories-and-photos/")
    row = page.get_by_role("row").filter(has_text=TITLE)
    assert "Current" in row.inner_text()
    row.get_by_role("link", name=f"story “{TITLE}”").click()
    page.wait_for_url("**/admin/consent/stories-and-photos/edit/**")
    today = timezone.localdate()
    page.get_by_label("Withdrawn on").fill(today.isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/admin/consent/stories-and-photos/")
    assert (
        f"Withdrawn {today:%-d %b %Y}"
        in page.get_by_role("row").filter(has_text=TITLE).inner_text()
    )

    assert not StoryPage.objects.get(pk=story.pk).live
    visitor.goto(live_server.url + "/stories/")
    assert TITLE not in visitor.locator("main").inner_text()
    assert "Forty children, one classroom" in visitor.locator("main").inner_text()
    assert problems == [], "\n".join(problems)

    # Its address now answers "not found" (the browser logs that 404: expected here).
    gone = browser.new_page()
    response = gone.goto(live_server.url + "/stories/sewing-machine/")
    assert response.status == 404
