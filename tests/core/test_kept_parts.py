"""Parts of the editorial pages kept between draws (core/kept_parts.py): drawn once for
everyone the page cache does not answer, current by the same rule as the page cache, and never
carrying anything of the visitor who happened to draw them."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import Client, RequestFactory
from wagtail.models import PageViewRestriction

from core import kept_parts
from core.kept_parts import PartsDrawing
from core.page_cache import CSRF_PLACEHOLDER
from tests.factories import UserFactory, add_standard, add_story, as_first_visited
from website.models import NewsIndexPage, StoryPage

pytestmark = pytest.mark.django_db

MAIN = re.compile(rb'<main id="main".*</main>', re.S)


@pytest.fixture
def site_pages(site_pages):
    return as_first_visited(site_pages)


@pytest.fixture
def member(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def drawn(monkeypatch):
    """How often each page type's get_context ran: a page drawn from its kept parts runs none."""
    from campaigns.models import CampaignIndexPage
    from prayer.models import PrayPage
    from volunteers.models import VolunteerIndexPage

    calls = []
    for page_type in (StoryPage, NewsIndexPage, CampaignIndexPage, PrayPage, VolunteerIndexPage):
        original = page_type.get_context

        def counting(self, request, *args, _original=original, **kwargs):
            calls.append(self.pk)
            return _original(self, request, *args, **kwargs)

        monkeypatch.setattr(page_type, "get_context", counting)
    return calls


def main_of(response):
    return MAIN.search(response.content).group(0)


def test_a_signed_in_visitor_gets_the_kept_parts_inside_their_own_page(member, site_pages, drawn):
    _home, news = site_pages
    story = add_story(news, title="Asha's certificate")
    anonymous = Client().get(story.url)  # drawn, and its parts kept
    assert drawn == [story.pk]
    shown = member.get(story.url)
    assert shown.status_code == 200
    assert drawn == [story.pk], "the member's page was drawn around the kept parts"
    assert main_of(shown) == main_of(anonymous)
    assert b"Your account" in shown.content and b"Your account" not in anonymous.content
    assert b'<meta property="og:title" content="Asha&#x27;s certificate">' in shown.content


def test_the_parts_drawn_for_a_member_hold_nothing_of_theirs(settings, site_pages):
    _home, news = site_pages
    story = add_story(news, title="A story")
    member = Client()
    user = UserFactory(email="someone.private@example.org")
    member.force_login(user)
    member.get(story.url)  # the member draws the parts first
    anonymous = Client().get(story.url)
    assert b"someone.private" not in anonymous.content
    assert b"Your account" not in anonymous.content


def test_a_published_change_an_update_and_an_unpublish_show_at_once(member, site_pages, drawn):
    _home, news = site_pages
    story = add_story(news, title="Before the change")
    member.get(story.url)
    member.get(news.url)
    story.title = "After the change"
    story.save_revision().publish()
    assert b"After the change" in member.get(story.url).content
    StoryPage.objects.filter(pk=story.pk).update(intro="Changed behind the ORM's back")
    assert b"Changed behind the ORM" in member.get(story.url).content
    assert b"After the change" in member.get(news.url).content
    story.unpublish()
    assert member.get(story.url).status_code == 404
    assert b"After the change" not in member.get(news.url).content


def test_a_preview_neither_uses_nor_leaves_kept_parts(member, site_pages):
    _home, news = site_pages
    story = add_story(news, title="The live title")
    member.get(story.url)
    draft = StoryPage.objects.get(pk=story.pk)
    draft.title = "A draft nobody may see yet"
    draft.save_revision()
    preview = draft.make_preview_request()
    preview.render()
    assert b"A draft nobody may see yet" in preview.content
    for visitor in (member, Client()):
        shown = visitor.get(story.url).content
        assert b"The live title" in shown and b"A draft nobody" not in shown


def test_a_page_under_a_view_restriction_is_never_kept(member, site_pages, drawn):
    home, news = site_pages
    story = add_story(news, title="Members only")
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.LOGIN)
    first, second = member.get(story.url), member.get(story.url)
    assert first.status_code == second.status_code == 200
    assert drawn == [story.pk, story.pk]
    assert Client().get(story.url).status_code == 302  # to the sign-in page, as before


def test_parameters_the_page_did_not_take_as_given_are_not_kept(member, site_pages, drawn):
    _home, news = site_pages
    story = add_story(news, title="A story")
    for path in (f"{story.url}?fbclid=abc", f"{news.url}?page=abc", f"{news.url}?tag=nothing"):
        drawn.clear()
        assert member.get(path).status_code == 200
        assert member.get(path).status_code == 200
        assert len(drawn) == 2, path
    drawn.clear()
    member.get(f"{news.url}?page=1")
    member.get(f"{news.url}?page=1")
    assert len(drawn) == 1, "a declared parameter given as it is may be kept"


def test_kept_parts_can_be_turned_off(member, site_pages, drawn, settings):
    settings.KEPT_PARTS = False
    _home, news = site_pages
    story = add_story(news)
    member.get(story.url)
    member.get(story.url)
    assert drawn == [story.pk, story.pk]


def test_an_entry_missing_a_part_is_drawn_in_full_and_kept_again(
    member, site_pages, drawn, monkeypatch
):
    _home, news = site_pages
    story = add_story(news, title="A story")
    keys = []
    keep = PartsDrawing.keep

    def keeping(self, response):
        keys.append(self.key)
        keep(self, response)  # a post-render callback that returns nothing

    monkeypatch.setattr(PartsDrawing, "keep", keeping)
    member.get(story.url)
    cache = kept_parts.cache()
    entry = cache.get(keys[0])
    del entry["parts"]["head"]
    cache.set(keys[0], entry)
    shown = member.get(story.url)
    assert shown.status_code == 200 and b'property="og:title"' in shown.content
    assert drawn == [story.pk, story.pk]
    member.get(story.url)
    assert drawn == [story.pk, story.pk]


def test_a_standard_page_and_the_home_page_keep_their_parts(member, site_pages):
    home, _news = site_pages
    about = add_standard(home, title="About the centre")
    for page in (home, about):
        first = member.get(page.url)
        second = member.get(page.url)
        assert first.status_code == second.status_code == 200
        assert main_of(first) == main_of(second)


# The tag itself, with a part that should not have been kept.


def render_part(source, request):
    template = engines["django"].from_string("{% load kept_parts %}" + source)
    return template.render({}, request)


@pytest.fixture
def drawing_request(site_pages):
    _home, news = site_pages
    story = add_story(news)
    request = RequestFactory().get(story.url)
    request.user = UserFactory(email="drawer@example.org")
    request.kept_parts = PartsDrawing(request, story, "test-key", {})
    return request


def render_for_page(source, request):
    template = engines["django"].from_string("{% load kept_parts %}" + source)
    return template.render({"page": request.kept_parts.page}, request)


def test_a_part_is_drawn_as_for_an_anonymous_visitor(drawing_request):
    shown = render_for_page(
        '{% kept "main" %}{% if user.is_authenticated %}Hello {{ user.email }}'
        "{% else %}Welcome{% endif %}{% endkept %}",
        drawing_request,
    )
    assert shown == "Welcome"
    assert drawing_request.kept_parts.drawn == {"main": "Welcome"}
    assert isinstance(drawing_request.user, type(UserFactory.build())) and not isinstance(
        drawing_request.user, AnonymousUser
    )


def test_a_part_with_a_form_is_not_kept_and_its_token_works(drawing_request):
    shown = render_for_page(
        '{% kept "main" %}<form>{% csrf_token %}</form>{% endkept %}', drawing_request
    )
    assert drawing_request.kept_parts.refused
    assert CSRF_PLACEHOLDER not in shown
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', shown)


def test_the_tag_without_kept_parts_draws_what_it_wraps():
    request = RequestFactory().get("/")
    assert render_part('{% kept "main" %}plain{% endkept %}', request) == "plain"


def test_another_template_drawn_for_the_same_request_draws_its_own_parts(drawing_request):
    """An error page drawn while a page keeps its parts is not taken for that page."""
    drawing_request.kept_parts.entry = {"parts": {"main": "the story's kept part"}}
    assert render_part('{% kept "main" %}Not found{% endkept %}', drawing_request) == "Not found"
    shown = render_for_page('{% kept "main" %}Not found{% endkept %}', drawing_request)
    assert shown == "the story's kept part"


def test_the_page_reads_an_anonymous_visitor_while_its_parts_may_be_kept(
    member, site_pages, monkeypatch
):
    """What get_context reads of the visitor (an address only they may see) cannot reach a
    kept part; the header is still theirs."""
    _home, news = site_pages
    story = add_story(news, title="A story")
    seen = []
    original = StoryPage.get_context

    def reading_the_visitor(self, request, *args, **kwargs):
        seen.append(request.user.is_authenticated)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(StoryPage, "get_context", reading_the_visitor)
    shown = member.get(story.url)
    assert seen == [False]
    assert b"Your account" in shown.content
    assert shown.wsgi_request.user.is_authenticated


def test_a_routable_page_never_keeps_its_parts(monkeypatch):
    from campaigns.models import CampaignPage

    monkeypatch.setattr(kept_parts.page_privacy, "restrictions_for", lambda page: [])
    request = RequestFactory().get("/")
    assert kept_parts.eligible(request, StoryPage(live=True))
    assert not kept_parts.eligible(request, CampaignPage(live=True))


@pytest.mark.parametrize("kind", ["campaign index", "pray page", "volunteer index"])
def test_the_other_listing_pages_keep_their_parts_too(member, site_pages, drawn, kind):
    from campaigns.models import CampaignIndexPage
    from prayer.models import PrayPage
    from volunteers.models import VolunteerIndexPage

    home, _news = site_pages
    page_type = {
        "campaign index": CampaignIndexPage,
        "pray page": PrayPage,
        "volunteer index": VolunteerIndexPage,
    }[kind]
    page = home.add_child(instance=page_type(title=f"The {kind}", slug=kind.replace(" ", "-")))
    page.save_revision().publish()
    first, second = member.get(page.url), member.get(page.url)
    assert first.status_code == second.status_code == 200
    assert main_of(first) == main_of(second)
    assert drawn == [page.pk]
