"""Pages cost a fixed number of queries however many stories there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.rich_text import RichText

from tests.factories import RegionFactory, add_campaign, add_ministry, make_image
from website.models import StoryPage

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12


def queries_for(client, url):
    client.get(url)  # warm the per-process caches (site root paths, renditions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_stories(news, regions, count, start=0):
    """Live stories straight into the tree (no revisions): the pages are what is measured."""
    from taggit.models import Tag

    tag, _ = Tag.objects.get_or_create(name="education", slug="education")
    picture = make_image()
    for number in range(start, start + count):
        story = StoryPage(
            title=f"Story {number}",
            slug=f"story-{number}",
            intro="She found work, and a home.",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=number),
            hero_image=picture,
            body=[
                ("paragraph", RichText("<p>Told with care.</p>")),
                ("image", {"image": picture, "caption": "The classroom", "alt_text": ""}),
            ],
            first_published_at=timezone.now(),
        )
        news.add_child(instance=story)
        story.regions.set(regions)
        story.tags.add(tag)
        story.save()


@pytest.fixture
def pages_at(site_pages):
    home, news = site_pages
    regions = [RegionFactory(), RegionFactory()]
    ministry = add_ministry(home, hero_image=make_image("Centre"))
    ministry.gallery_images.create(image=make_image("Class"), caption="Class")
    ministry.gallery_images.create(image=make_image("Kitchen"), caption="Kitchen")
    ministry.save_revision().publish()
    home.featured_campaign = add_campaign(home, hero_image=make_image("Campaign"))
    home.hero_image = make_image("Hero")
    home.hero_button_page = news  # as the demo's home page has it
    home.save_revision().publish()
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


@pytest.mark.usefixtures("drawn_pages")
def test_pages_stay_within_budget_and_do_not_grow_with_stories(pages_at):
    """One story card or a full listing (three on the home page, a page of ten on the index)
    cost the same: a card that queries shows up here even where the budget would hide it."""
    with_1 = pages_at(1)
    with_10 = pages_at(10)
    with_200 = pages_at(200)
    for name, count in with_10.items():
        assert count <= QUERY_BUDGET, f"{name}: {count} queries with 10 stories"
    assert with_1 == with_10
    assert with_200 == with_10
