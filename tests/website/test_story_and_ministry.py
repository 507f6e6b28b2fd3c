"""What a reader sees on a story and a ministry page."""

import pytest
from taggit.models import Tag

from tests.factories import RegionFactory, add_campaign, add_ministry, add_story

pytestmark = pytest.mark.django_db

PRIVACY_NOTICE = "Names have been changed to protect the privacy"


def test_story_shows_its_details_and_privacy_notice(client, site_pages):
    home, news = site_pages
    campaign = add_campaign(home)
    story = add_story(
        news,
        title="A home of her own",
        author="Field team",
        date="2026-06-12",
        related_campaign=campaign,
        body=[
            ("paragraph", "<p>Priya learned to sew.</p>"),
            ("pull_quote", {"quote": "I can choose now.", "attribution": "Priya"}),
        ],
    )
    story.tags.add(Tag.objects.create(name="restoration", slug="restoration"))
    story.regions.add(RegionFactory(name="Mumbai", slug="mumbai"))
    story.save_revision().publish()

    html = client.get(story.url).content.decode()
    assert PRIVACY_NOTICE in html
    assert 'datetime="2026-06-12"' in html
    assert "Field team" in html
    assert "Priya learned to sew." in html and "I can choose now." in html
    assert "/stories/?tag=restoration" in html
    assert "/stories/?region=mumbai" in html
    assert campaign.url in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="A home of her own' in html
    assert 'name="twitter:card"' in html
    assert 'href="/feeds/stories/"' in html


def test_no_privacy_notice_when_names_are_real(client, site_pages):
    _, news = site_pages
    story = add_story(news, title="Staff retreat", names_changed=False)
    assert PRIVACY_NOTICE not in client.get(story.url).content.decode()


def test_story_with_unpublished_campaign_does_not_link_it(client, site_pages):
    home, news = site_pages
    campaign = add_campaign(home, title="Secret plan")
    campaign.unpublish()
    story = add_story(news, related_campaign=campaign)
    assert "Secret plan" not in client.get(story.url).content.decode()


def test_ministry_page_shows_city_programmes_and_impact(client, site_pages):
    home, _ = site_pages
    ministry = add_ministry(
        home,
        title="Drop-in centre",
        city="Kolkata",
        country="India",
        programmes=[("programme", {"name": "Tailoring", "description": "Six months."})],
        impact_figures=[("figure", {"figure": "40", "label": "children served daily"})],
    )
    html = client.get(ministry.url).content.decode()
    assert "Kolkata, India" in html
    assert "Tailoring" in html
    assert "40" in html and "children served daily" in html


def test_home_page_lists_latest_stories_and_featured_campaign(client, site_pages):
    home, news = site_pages
    for number in range(5):
        add_story(news, title=f"Story {number}", date=f"2026-0{number + 1}-01")
    campaign = add_campaign(home, title="Freedom Sunday 2027")
    home.featured_campaign = campaign
    home.save_revision().publish()
    response = client.get("/")
    assert [s.title for s in response.context["latest_stories"]] == [
        "Story 4",
        "Story 3",
        "Story 2",
    ]
    assert "Freedom Sunday 2027" in response.content.decode()


def test_home_page_hides_an_unpublished_featured_campaign(client, site_pages):
    home, _ = site_pages
    campaign = add_campaign(home, title="Not yet")
    campaign.unpublish()
    home.featured_campaign = campaign
    home.save_revision().publish()
    assert "Not yet" not in client.get("/").content.decode()
