"""A visitor opens the home page in Chromium, follows a story, and meets no serious axe issue."""

import pytest

from tests.e2e.axe import serious_violations
from tests.factories import add_ministry, add_story, build_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_site(transactional_db):
    home, news = build_site()
    for number in range(4):
        add_story(
            news,
            title=f"Story number {number}",
            slug=f"story-{number}",
            intro="A woman starts again with a sewing machine and a friend.",
        )
    add_ministry(home)
    return home


def test_home_page_to_story_without_accessibility_violations(live_server, demo_site, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []
    feed = page.locator('link[rel="alternate"][type="application/rss+xml"]')
    assert feed.get_attribute("href") == "/feeds/stories/"

    page.get_by_role("link", name="Story number 3").first.click()
    page.wait_for_url("**/stories/story-3/")
    assert page.locator("h1").inner_text() == "Story number 3"
    assert "Names have been changed" in page.locator("main").inner_text()
    assert serious_violations(page) == []


def test_story_page_on_a_phone(live_server, demo_site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + "/stories/story-0/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    assert serious_violations(phone) == []
    context.close()


def test_pages_run_under_the_content_security_policy(live_server, demo_site, page):
    """The strict policy blocks nothing the site itself needs (no inline script or style)."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in ["/", "/stories/", "/stories/story-0/", "/pray/subscribe/", "/accounts/login/"]:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert refused == []
