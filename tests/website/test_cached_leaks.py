"""With the page cache on, what is taken down is gone at once, everywhere.

Canaries are planted in public content: a story, a photo's story, a standard page, a prayer
request, a name on the vigil grid. An anonymous visitor crawls the whole site twice, so every
page that may be kept is kept (the second crawl is served from the cache). Then everything
is withdrawn the ways it is withdrawn in real life: consent ended (the scheduled take-down:
the story unpublished, the request withdrawn by a queryset update), a page unpublished in the
back office, a page deleted, a vigil sign-up erased. The next crawl must find no canary
in any body or header, while the cache was really in use (pages not changed are still hits).
The same crawl as a signed-in supporter, whose pages are drawn around the parts kept for
everyone (core/kept_parts.py), must find none either.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from core.kept_parts import PartsDrawing
from prayer.models import PrayerRequest, PrayerWallPage
from tests.factories import UserFactory, add_consent, add_standard, add_story
from tests.website.test_public_leaks import crawl, occurrences
from vigils.models import VigilPage, VigilSignup
from website.consent.takedown import take_down_ended_content
from website.models import HomePage, NewsIndexPage

pytestmark = pytest.mark.django_db

CANARY = {
    "consent_story": "CanaryConsentStory5e1a",
    "unpublished_page": "CanaryUnpublishedPage2b7c",
    "deleted_story": "CanaryDeletedStory9f3d",
    "prayer_request": "CanaryPrayerRequest4c8e",
    "vigil_name": "CanaryVigilName7a2f",
}
NOW = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
SEEDS = ["/", "/sitemap.xml", "/feeds/stories/"]


def shown(needle, path, response):
    """The canary in the body or headers, not counting a 404 page repeating the address
    asked for (a slug made of the canary)."""
    found = occurrences(needle, response)
    if response.status_code == 404:
        found -= response.content.decode("utf-8", "replace").lower().count(path.lower())
    return found > 0


def canaries_in(visited):
    return {
        name
        for name, needle in CANARY.items()
        for _path, response in visited
        if occurrences(needle, response)
    }


@pytest.fixture
def planted(settings, time_machine):
    settings.PAGE_CACHE = True
    settings.KEPT_PARTS = True
    time_machine.move_to(NOW, tick=False)
    settings.SITE_URL = "http://testserver"
    call_command("demo_content", "--image-width=32", stdout=StringIO())
    home = HomePage.objects.get()
    news = NewsIndexPage.objects.get()
    story = add_story(news, title=CANARY["consent_story"])
    consent = add_consent(story)
    standard = add_standard(home, title=CANARY["unpublished_page"], show_in_menus=True)
    deleted = add_story(news, title=CANARY["deleted_story"])
    request = PrayerRequest.objects.create(
        title=CANARY["prayer_request"],
        public_text="Pray for the families at the border.",
        status=PrayerRequest.Status.APPROVED,
        approved_at=NOW - datetime.timedelta(hours=1),
    )
    request_consent = add_consent(request)
    vigil = VigilPage.objects.live().first()
    signup = VigilSignup.objects.filter(vigil=vigil, status=VigilSignup.Status.CONFIRMED).first()
    VigilSignup.objects.filter(pk=signup.pk).update(display_name=CANARY["vigil_name"])
    return {
        "story": story,
        "consent": consent,
        "standard": standard,
        "deleted": deleted,
        "request": request,
        "request_consent": request_consent,
        "signup": signup,
        "wall": PrayerWallPage.objects.live().first(),
    }


def withdraw_everything(planted):
    for record in (planted["consent"], planted["request_consent"]):
        record.withdrawn_on = NOW.date()
        record.save()
    assert take_down_ended_content(now=NOW) >= 2
    planted["standard"].unpublish()
    planted["deleted"].delete()
    planted["signup"].delete()  # erased: the person asked (My Vigil)


def kept_from(response):
    return response.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("visitor", ["anonymous", "signed_in"])
def test_a_take_down_reaches_every_cached_page_at_once(planted, visitor, monkeypatch):
    """Anonymous visitors get whole pages from the cache; a signed-in supporter gets pages
    drawn around the parts kept for everyone (core/kept_parts.py)."""
    client = Client()
    kept_parts_used = []
    if visitor == "signed_in":
        client.force_login(UserFactory())
        part = PartsDrawing.part
        monkeypatch.setattr(
            PartsDrawing,
            "part",
            lambda self, name: kept_parts_used.append(name) or part(self, name),
        )
    first, _kinds = crawl(client, SEEDS)
    assert canaries_in(first) == set(CANARY), "the canaries were shown before"
    second, _kinds = crawl(client, SEEDS)
    if visitor == "anonymous":
        hits = [path for path, response in second if kept_from(response)]
        assert len(hits) >= 20, "the second crawl came from the cache"
    else:
        assert not any(kept_from(response) for _path, response in second)
        assert len(kept_parts_used) >= 20, "the second crawl used the kept parts"

    withdraw_everything(planted)

    urls = SEEDS + sorted({path for path, _response in first} - set(SEEDS))
    kept_parts_used.clear()
    after, _kinds = crawl(client, urls)
    again, _kinds = crawl(client, urls)
    leaks = [
        (name, path)
        for path, response in after + again
        for name, needle in CANARY.items()
        if shown(needle, path, response)
    ]
    assert leaks == []
    # The cache was in use all along: after the take-down, pages are kept again.
    if visitor == "anonymous":
        assert any(kept_from(r) for _p, r in again), "nothing came from the cache"
    else:
        assert kept_parts_used, "no kept part was used"
    assert all(response.status_code < 500 for _path, response in after + again)
