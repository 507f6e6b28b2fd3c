"""Drafts and future-scheduled stories stay off every public surface until they go live."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import add_story

pytestmark = pytest.mark.django_db

CANARY = "Zebrafish-canary-7731"


@pytest.fixture
def unpublished(site_pages):
    home, news = site_pages
    add_story(news, title="Published story", intro="Everyone may read this.")
    draft = add_story(news, title=f"Draft {CANARY}", intro=f"Draft {CANARY}", publish=False)
    scheduled = add_story(
        news, title=f"Scheduled {CANARY}", intro=f"Scheduled {CANARY}", publish=False
    )
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=2)
    scheduled.save_revision().publish()
    scheduled.refresh_from_db()
    assert not scheduled.live
    return draft, scheduled


@pytest.mark.parametrize(
    "url",
    [
        "/stories/",
        "/feeds/stories/",
        "/search/?q=Scheduled",
        "/search/?q=Draft",
        "/sitemap.xml",
        "/",
    ],
)
def test_unpublished_stories_appear_nowhere(client, unpublished, url):
    response = client.get(url)
    assert response.status_code == 200
    assert CANARY not in response.content.decode()


def test_published_story_appears_everywhere(client, unpublished):
    assert "Published story" in client.get("/stories/").content.decode()
    assert "Published story" in client.get("/feeds/stories/").content.decode()
    assert "Published story" in client.get("/search/?q=Published").content.decode()
    assert "/stories/published-story/" in client.get("/sitemap.xml").content.decode()


def test_draft_and_scheduled_story_urls_are_not_found(client, unpublished):
    draft, scheduled = unpublished
    assert client.get(draft.url_path.replace("/home-vigil", "")).status_code == 404
    assert client.get("/stories/" + scheduled.slug + "/").status_code == 404


def test_scheduled_story_goes_live_from_the_task(client, unpublished, time_machine):
    from core.tasks import publish_scheduled_pages

    _, scheduled = unpublished
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3))
    publish_scheduled_pages()
    scheduled.refresh_from_db()
    assert scheduled.live
    assert CANARY in client.get("/feeds/stories/").content.decode()
