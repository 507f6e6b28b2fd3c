"""Pages cost a fixed number of queries however many stories there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RegionFactory, add_ministry, add_story

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12


def queries_for(client, url):
    client.get(url)  # warm the per-process caches (site root paths, renditions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_stories(news, regions, count, start=0):
    from taggit.models import Tag

    tag, _ = Tag.objects.get_or_create(name="education", slug="education")
    for number in range(start, start + count):
        story = add_story(news, title=f"Story {number}", slug=f"story-{number}", publish=False)
        story.regions.set(regions)
        story.tags.add(tag)
        story.save_revision().publish()


@pytest.fixture
def pages_at(site_pages):
    home, news = site_pages
    regions = [RegionFactory(), RegionFactory()]
    ministry = add_ministry(home)
    urls = {
        "home": "/",
        "news index": "/stories/",
        "filtered index": f"/stories/?tag=education&region={regions[0].slug}",
        "story": "/stories/story-0/",
        "ministry": ministry.url,
    }

    def measure(total):
        existing = news.get_children().count()
        add_stories(news, regions, total - existing, start=existing)
        return {name: queries_for(client_for_measure(), url) for name, url in urls.items()}

    return measure


def client_for_measure():
    from django.test import Client

    return Client()


def test_pages_stay_within_budget_and_do_not_grow_with_stories(pages_at):
    with_10 = pages_at(10)
    with_200 = pages_at(200)
    for name, count in with_10.items():
        assert count <= QUERY_BUDGET, f"{name}: {count} queries with 10 stories"
    assert with_200 == with_10
