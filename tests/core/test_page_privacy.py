"""View restrictions read once per request (core/page_privacy.py, issue 16 point 4): the same
answers as Wagtail's own check and Wagtail's `public()`, aliases included, and a change seen at
once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from core import page_privacy
from tests.factories import add_story
from website.models import StandardPage, StoryPage

pytestmark = pytest.mark.django_db

LOGIN = PageViewRestriction.LOGIN


@pytest.fixture
def in_a_request():
    token = page_privacy._current.set(page_privacy.RequestPrivacy())
    yield
    page_privacy._current.reset(token)


def wagtails(page):
    """Wagtail's own answer (Page.get_view_restrictions, not the request's list)."""
    return sorted(r.pk for r in Page.get_view_restrictions(page))


def ours(page):
    return sorted(r.pk for r in page_privacy.restrictions_for(page))


def test_the_same_restrictions_as_wagtail_for_every_page_aliases_included(site_pages, in_a_request):
    home, news = site_pages
    story = add_story(news, title="Behind the door")
    section = StandardPage(title="Section", slug="section")
    home.add_child(instance=section)
    inner = StandardPage(title="Inner", slug="inner")
    section.add_child(instance=inner)
    PageViewRestriction.objects.create(page=news, restriction_type=LOGIN)
    PageViewRestriction.objects.create(page=inner, restriction_type=LOGIN)
    # An alias of the restricted index (with its story), a page added below that alias, an
    # alias of the alias, and an alias of a page below a restriction.
    alias = news.create_alias(parent=home, update_slug="stories-again", recursive=True)
    below_alias = StandardPage(title="Below", slug="below")
    alias.add_child(instance=below_alias)
    alias_of_alias = alias.create_alias(parent=section, update_slug="stories-thrice")
    story_alias = story.create_alias(parent=home, update_slug="story-again")

    pages = [home, news, story, section, inner, alias, below_alias, alias_of_alias, story_alias]
    pages += list(alias.get_children())
    for page in pages:
        page.refresh_from_db()
        assert ours(page) == wagtails(page), page.url_path
    assert ours(below_alias) and ours(alias_of_alias) and not ours(story_alias)


def test_public_listings_leave_out_the_same_pages_in_and_out_of_a_request(site_pages):
    home, news = site_pages
    add_story(news, title="Open")
    section = StandardPage(title="Section", slug="section")
    home.add_child(instance=section)
    PageViewRestriction.objects.create(page=news, restriction_type=LOGIN)

    outside = sorted(StoryPage.objects.live().public().values_list("pk", flat=True))
    outside_pages = sorted(StandardPage.objects.public().values_list("pk", flat=True))
    token = page_privacy._current.set(page_privacy.RequestPrivacy())
    try:
        assert sorted(StoryPage.objects.live().public().values_list("pk", flat=True)) == outside
        assert sorted(StandardPage.objects.public().values_list("pk", flat=True)) == (outside_pages)
    finally:
        page_privacy._current.reset(token)
    assert outside == []
    assert outside_pages == [section.pk]


def test_a_restriction_made_during_the_request_applies_at_once(site_pages, in_a_request):
    _, news = site_pages
    story = add_story(news)
    assert ours(story) == []
    assert StoryPage.objects.live().public().filter(pk=story.pk).exists()

    restriction = PageViewRestriction.objects.create(page=news, restriction_type=LOGIN)
    assert ours(story) == [restriction.pk]
    assert not StoryPage.objects.live().public().filter(pk=story.pk).exists()

    restriction.delete()
    assert ours(story) == []


@pytest.mark.usefixtures("drawn_pages")
def test_a_page_reads_the_restrictions_once(client, site_pages):
    home, news = site_pages
    story = add_story(news)
    section = StandardPage(title="Members", slug="members")
    home.add_child(instance=section)
    PageViewRestriction.objects.create(page=section, restriction_type=LOGIN)
    for url in ("/", news.url, story.url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        reads = [q for q in captured if "wagtailcore_pageviewrestriction" in q["sql"]]
        assert len(reads) == 1, (url, [q["sql"] for q in reads])
    assert client.get(section.url).status_code == 302  # to sign in


def test_outside_a_request_wagtails_own_check_answers():
    assert page_privacy.current() is None
    assert page_privacy.restrictions_for(Page(path="0001")) is None
    assert page_privacy.restricted_paths() is None
