"""The news index: paginated, filterable by tag and region, calm about bad query strings."""

import pytest
from django.db import transaction
from taggit.models import Tag

from tests.factories import RegionFactory, add_story, build_site
from tests.filter_helpers import MALFORMED, assert_forgiven

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def published_stories(django_db_setup, django_db_blocker):
    """Five stories published once for the module (ten publications: most of each test's time
    when every test made them), inside a transaction rolled back after the module's last test;
    each test reads them inside its own savepoint, and what it adds goes with it."""
    with django_db_blocker.unblock(), transaction.atomic():
        _, news = build_site()
        kolkata = RegionFactory(name="Kolkata", slug="kolkata")
        manila = RegionFactory(name="Manila", slug="manila")
        education = Tag.objects.create(name="education", slug="education")
        made = []
        for number, region in enumerate([kolkata, kolkata, manila, manila, kolkata]):
            story = add_story(
                news, title=f"Story {number}", slug=f"story-{number}", date=f"2026-0{number + 1}-01"
            )
            story.regions.set([region])
            if number % 2 == 0:
                story.tags.add(education)
            story.save_revision().publish()
            made.append(story)
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def stories(published_stories, settings):
    settings.NEWS_PAGE_SIZE = 2
    return published_stories


def titles(response):
    return [story.title for story in response.context["stories"]]


def test_newest_first_and_paginated(client, stories):
    response = client.get("/stories/")
    assert titles(response) == ["Story 4", "Story 3"]
    assert titles(client.get("/stories/?page=3")) == ["Story 0"]


@pytest.mark.parametrize("page", ["abc", "", "-1", "0", "1.5", "%00", "9" * 40])
def test_nonsense_page_numbers_give_the_first_or_last_page(client, stories, page):
    response = client.get(f"/stories/?page={page}")
    assert response.status_code == 200
    assert titles(response) in (["Story 4", "Story 3"], ["Story 0"])


def test_page_past_the_end_gives_the_last_page(client, stories):
    assert titles(client.get("/stories/?page=99999")) == ["Story 0"]


def test_filter_by_tag_and_region(client, stories):
    assert titles(client.get("/stories/?tag=education")) == ["Story 4", "Story 2"]
    response = client.get("/stories/?region=manila")
    assert titles(response) == ["Story 3", "Story 2"]
    assert titles(client.get("/stories/?tag=education&region=kolkata")) == ["Story 4", "Story 0"]


def test_filter_links_keep_the_filter_across_pages(client, stories):
    html = client.get("/stories/?tag=education").content.decode()
    assert "tag=education" in html and "page=2" in html


VALID = {"tag": "education", "region": "manila"}


@pytest.mark.parametrize("kind", ["unknown", *MALFORMED])
@pytest.mark.parametrize("name", VALID)
def test_an_unknown_or_malformed_filter_shows_all_stories_with_a_note(client, stories, name, kind):
    value, shown = MALFORMED.get(kind, ("atlantis", "atlantis"))
    note = f"No {name} called “{shown}”; showing all stories."
    valid = {name: VALID[name]}
    assert_forgiven(client, "/stories/", {name: value}, note, listed=titles, valid=valid)


def test_an_unknown_filter_beside_a_known_one_is_left_out(client, stories):
    response = client.get("/stories/", {"tag": "education", "region": "atlantis"})
    assert titles(response) == ["Story 4", "Story 2"]
    html = response.content.decode()
    assert "No region called “atlantis”; leaving that filter out." in html
    assert (
        "page=2" in html
        and "tag=education" in html
        and "atlantis" not in html.split('class="pagination"')[1]
    )


def test_a_valid_filter_carries_no_note_and_may_be_indexed(client, stories):
    html = client.get("/stories/", {"tag": "education"}).content.decode()
    assert "filter-notes" not in html and "noindex" not in html


def test_regions_list_only_those_with_stories(client, stories):
    RegionFactory(name="Empty region", slug="empty")
    response = client.get("/stories/")
    assert [r.slug for r in response.context["regions"]] == ["kolkata", "manila"]
