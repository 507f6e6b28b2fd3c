"""Anonymous pages from the cache (core/page_cache.py): served again only while nothing they
show has changed, never to anyone signed in, never with another visitor's secret, and never
poisoned by what a visitor sends."""

import datetime
import gzip
import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import generations, page_cache
from core.formguard import STAMP_FIELD, stamp_age
from prayer.models import PrayerRequest
from tests.factories import (
    UserFactory,
    add_shift,
    add_story,
    add_vigil,
    as_first_visited,
    open_campaign,
    register_church,
)
from tests.prayer.request_helpers import make_request, make_wall

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def site_pages(site_pages):
    return as_first_visited(site_pages)


def cached(response):
    return response.get("X-Page-Cache")


def get_twice(client, path, **extra):
    first = client.get(path, **extra)
    return first, client.get(path, **extra)


def test_an_anonymous_page_is_drawn_once_then_served_from_the_cache(client, site_pages):
    home, news = site_pages
    story = add_story(news, title="Asha's certificate")
    first = client.get(story.url)
    assert first.status_code == 200 and cached(first) == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(story.url)
    assert cached(second) == "hit"
    assert second.content == first.content
    # One query: the generations, read from the database on every request.
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "public" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]


def test_a_kept_page_revalidates_with_its_etag_and_is_sent_compressed(client, site_pages):
    home, _news = site_pages
    client.get("/")
    plain = client.get("/")
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert cached(zipped) == "hit" and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"] and "Cookie" in zipped["Vary"]
    again = client.get("/", HTTP_IF_NONE_MATCH=zipped["ETag"])
    assert again.status_code == 304


def test_a_published_change_shows_at_once(client, site_pages):
    _home, news = site_pages
    story = add_story(news, title="Before the change")
    get_twice(client, story.url)
    story.title = "After the change"
    story.save_revision().publish()
    response = client.get(story.url)
    assert b"After the change" in response.content and cached(response) == "miss"


def test_an_unpublished_page_is_gone_at_once_and_from_the_listing(client, site_pages):
    _home, news = site_pages
    story = add_story(news, title="Soon unpublished")
    get_twice(client, story.url)
    get_twice(client, news.url)
    story.unpublish()
    assert client.get(story.url).status_code == 404
    assert b"Soon unpublished" not in client.get(news.url).content


def test_a_deleted_or_moved_page_is_not_served_from_the_cache(client, site_pages):
    home, news = site_pages
    gone = add_story(news, title="Deleted story")
    moved = add_story(news, title="Moved story")
    for page in (gone, moved):
        get_twice(client, page.url)
    old_url = moved.url
    gone.delete()
    moved.slug = "moved-elsewhere"
    moved.save_revision().publish()
    assert client.get(gone.url).status_code == 404
    # Wagtail redirects the old address of a page whose slug changed.
    moved_away = client.get(old_url)
    assert moved_away.status_code == 301 and moved_away["Location"] == "/stories/moved-elsewhere/"


def test_a_change_made_behind_the_orms_back_still_shows(client, site_pages):
    """A queryset update sends no signal; the trigger on the table moves the generation."""
    _home, news = site_pages
    story = add_story(news, title="Story", intro="Old intro")
    get_twice(client, story.url)
    type(story).objects.filter(pk=story.pk).update(intro="New intro")
    assert b"New intro" in client.get(story.url).content


def test_the_wall_shows_an_approved_request_a_withdrawn_one_and_a_new_count_at_once(
    client, site_pages
):
    home, _news = site_pages
    wall = make_wall(home)
    waiting = make_request("Waiting request", status=PrayerRequest.Status.SUBMITTED)
    shown = make_request("Shown request", prayed_count=3)
    first, second = get_twice(client, wall.url)
    assert cached(second) == "hit" and b"Waiting request" not in second.content

    PrayerRequest.objects.filter(pk=waiting.pk).update(
        status=PrayerRequest.Status.APPROVED, approved_at=timezone.now()
    )
    assert b"Waiting request" in client.get(wall.url).content

    client.get(wall.url)
    pressed = client.post(
        f"/pray/request/{shown.pk}/prayed/",
        HTTP_ORIGIN="http://testserver",
        HTTP_ACCEPT="application/json",
    )
    assert pressed.json()["prayed_count"] == 4
    # The count is filled in as the kept wall is served: "I prayed" does not throw it away.
    after = Client().get(wall.url)
    assert cached(after) == "hit"
    assert b"Prayers so far: <span data-prayed-count>4</span>" in after.content
    permalink = f"{wall.url}{shown.pk}/"
    get_twice(client, permalink)
    PrayerRequest.objects.filter(pk=shown.pk).update(prayed_count=9)
    again = client.get(permalink)
    assert cached(again) == "hit" and b"<span data-prayed-count>9</span>" in again.content
    kept = [entry["body"] for entry in kept_entries()]
    assert kept and not any(b"data-prayed-count>9<" in body for body in kept)

    PrayerRequest.objects.filter(pk=shown.pk).update(status=PrayerRequest.Status.WITHDRAWN)
    assert b"Shown request" not in client.get(wall.url).content
    assert client.get(f"{wall.url}{shown.pk}/").status_code == 404


def test_the_wall_is_the_same_page_for_everyone(client, site_pages):
    """No CSRF token on it ("I prayed" is checked by its Origin), so no cookie either."""
    home, _news = site_pages
    wall = make_wall(home)
    make_request("A request")
    first, second = get_twice(client, wall.url)
    assert b"csrfmiddlewaretoken" not in second.content
    assert not second.cookies and cached(second) == "hit"


def test_a_church_registration_moves_the_campaign_figures(client, site_pages):
    home, _news = site_pages
    campaign = open_campaign(home)
    get_twice(client, campaign.url)
    before = client.get(campaign.url)
    register_church(campaign, church_name="St Columba's")
    after = client.get(campaign.url)
    assert cached(after) == "miss" and after.content != before.content


def test_a_slot_taken_shows_on_the_vigil_grid(client, site_pages):
    from vigils.models import VigilSlot

    home, _news = site_pages
    vigil = add_vigil(home)
    get_twice(client, vigil.url)
    before = client.get(vigil.url)
    slot = VigilSlot.objects.filter(vigil=vigil).order_by("starts_at").last()
    VigilSlot.objects.filter(pk=slot.pk).update(taken=slot.capacity)
    after = client.get(vigil.url)
    assert cached(after) == "miss" and after.content != before.content


def test_a_volunteer_shift_filling_up_shows_on_the_listing(client, site_pages):
    from tests.factories import add_opportunity

    home, _news = site_pages
    opportunity = add_opportunity(home)
    shift = add_shift(opportunity, capacity=2)
    index = opportunity.get_parent().specific
    get_twice(client, index.url)
    type(shift).objects.filter(pk=shift.pk).update(confirmed_count=2)
    assert cached(client.get(index.url)) == "miss"


def test_a_signed_in_visitor_is_never_served_nor_kept(client, site_pages):
    home, news = site_pages
    story = add_story(news, title="Members see this fresh")
    client.force_login(UserFactory())
    first, second = get_twice(client, story.url)
    assert cached(first) is None and cached(second) is None
    assert Client().get(story.url)["X-Page-Cache"] == "miss"


def test_a_visitor_with_a_message_waiting_gets_the_page_drawn_for_them(client, site_pages):
    home, _news = site_pages
    wall = make_wall(home)
    request = make_request("A request")
    get_twice(Client(), wall.url)
    client.post(
        f"/pray/request/{request.pk}/prayed/",
        {"next": wall.url},
        HTTP_ORIGIN="http://testserver",
    )
    shown = client.get(wall.url)
    assert cached(shown) is None
    assert b"Thank you for praying." in shown.content


def test_posts_head_and_the_back_office_are_never_kept(client, site_pages, admin_client):
    home, _news = site_pages
    assert cached(client.head("/")) is None
    assert cached(admin_client.get("/admin/")) is None
    assert cached(client.get("/admin/login/")) is None
    assert cached(client.get("/admin/login/")) is None


def test_the_cache_can_be_turned_off(client, site_pages, settings):
    settings.PAGE_CACHE = False
    first, second = get_twice(client, "/")
    assert cached(second) is None


# Query strings and hosts: nobody chooses what is kept for everyone.


def test_unknown_parameters_neither_make_new_entries_nor_change_the_page(client, site_pages):
    _home, news = site_pages
    add_story(news, title="Shared in a newsletter")
    client.get(news.url)
    tracked = client.get(news.url + "?utm_source=digest&fbclid=abc")
    assert cached(tracked) == "hit"
    keys_before = cache_keys()
    for n in range(5):
        assert cached(client.get(f"{news.url}?junk={n}")) == "hit"
    assert cache_keys() == keys_before


def test_a_page_drawn_for_an_unknown_parameter_is_never_kept(client, site_pages):
    _home, news = site_pages
    response = client.get(news.url + "?made_up=<script>")
    assert cached(response) is None
    assert cached(client.get(news.url)) == "miss"


def test_declared_parameters_are_part_of_the_key_and_nonsense_values_are_not_kept(
    client, site_pages, settings
):
    _home, news = site_pages
    settings.NEWS_PAGE_SIZE = 1
    add_story(news, title="First story")
    add_story(news, title="Second story")
    one = client.get(news.url)
    two = client.get(news.url + "?page=2")
    assert cached(two) == "miss" and two.content != one.content
    assert cached(client.get(news.url + "?page=2")) == "hit"
    for nonsense in ("abc", "999", "2&page=3", "%00"):
        assert cached(client.get(f"{news.url}?page={nonsense}")) is None
    assert cached(client.get(news.url + "?tag=no-such-tag")) is None


def test_the_host_is_checked_before_it_becomes_part_of_a_key(client, site_pages, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.example.org"]
    client.get("/")
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    other = client.get("/", HTTP_HOST="www.example.org")
    assert cached(other) == "miss"


def cache_keys():
    """The page cache's keys as given to the cache (without its ":1:" version prefix)."""
    cache = caches[settings.PAGE_CACHE_ALIAS]
    if isinstance(cache._cache, dict):  # local memory
        made = list(cache._cache)
    else:
        made = [key.decode() for key in cache._cache.get_client().keys("*")]
    return sorted(
        key.split(":", 2)[2]
        for key in made
        if key.split(":", 2)[2].startswith(page_cache.KEY_PREFIX)
    )


# Forms on kept pages: every visitor their own CSRF token and form stamp.


def test_a_form_on_a_kept_page_carries_each_visitors_own_token(site_pages):
    home, _news = site_pages
    vigil = add_vigil(home)
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    one = first.get(vigil.url)
    two = second.get(vigil.url)
    assert cached(two) == "hit"
    token_one = TOKEN.search(one.content).group(1).decode()
    token_two = TOKEN.search(two.content).group(1).decode()
    assert token_one != token_two
    assert second.cookies[settings.CSRF_COOKIE_NAME].value
    assert first.cookies[settings.CSRF_COOKIE_NAME].value != (
        second.cookies[settings.CSRF_COOKIE_NAME].value
    )
    # What is kept holds placeholders, never a token.
    kept = [entry for entry in kept_entries() if entry.get("personal")]
    assert kept and all(token_one.encode() not in entry["body"] for entry in kept)
    assert all(page_cache.CSRF_PLACEHOLDER.encode() in entry["body"] for entry in kept)
    # The page from the cache is not for shared caches: it sets this visitor's cookie.
    assert "no-store" in two["Cache-Control"] and "private" in two["Cache-Control"]
    # The second visitor's token works for them, and only for them.
    signup = vigil.url + "signup/"
    assert second.post(signup, {"csrfmiddlewaretoken": token_two}).status_code != 403
    assert first.post(signup, {"csrfmiddlewaretoken": token_two}).status_code == 403
    stranger = Client(enforce_csrf_checks=True)
    assert stranger.post(signup, {"csrfmiddlewaretoken": token_two}).status_code == 403


def test_a_returning_visitor_keeps_their_csrf_cookie(site_pages):
    home, _news = site_pages
    vigil = add_vigil(home)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(vigil.url)
    cookie = visitor.cookies[settings.CSRF_COOKIE_NAME].value
    again = visitor.get(vigil.url)
    assert cached(again) == "hit"
    assert visitor.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    token = TOKEN.search(again.content).group(1).decode()
    assert visitor.post(vigil.url + "signup/", {"csrfmiddlewaretoken": token}).status_code != 403


def test_a_form_stamp_on_a_kept_page_is_each_visitors_own(site_pages, time_machine):
    home, _news = site_pages
    time_machine.move_to(timezone.now(), tick=False)
    Client().get("/pray/subscribe/")
    time_machine.shift(datetime.timedelta(seconds=30))
    later = Client().get("/pray/subscribe/")
    assert cached(later) == "hit"
    stamp = re.search(rb'name="%s" value="([^"]+)"' % STAMP_FIELD.encode(), later.content)
    assert stamp_age(stamp.group(1).decode()) < 1


def test_a_kept_page_from_yesterday_is_not_served_today(client, site_pages, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 5, 23, 59, 30, tzinfo=datetime.UTC))
    client.get("/")
    time_machine.move_to(datetime.datetime(2026, 12, 6, 0, 0, 30, tzinfo=datetime.UTC))
    assert cached(client.get("/")) == "miss"


def test_a_prayer_calendar_shows_its_next_day_the_moment_it_begins(
    client, site_pages, time_machine
):
    """The clock alone changes a calendar at midnight in its own zone: a kept page or feed
    is served until that moment and not a second after, whatever PAGE_CACHE_SECONDS says."""
    from tests.factories import add_prayer_calendar

    home, _news = site_pages
    # Midnight in Auckland is 11:00 UTC on 1 March 2026.
    calendar = add_prayer_calendar(home, days=3, time_zone="Pacific/Auckland")
    time_machine.move_to(datetime.datetime(2026, 3, 1, 10, 59, 59, tzinfo=datetime.UTC), tick=False)
    feed = calendar.url + "feed/"
    first, second = get_twice(client, feed)
    assert cached(second) == "hit" and second.content.count(b"<item>") == 1
    time_machine.move_to(datetime.datetime(2026, 3, 1, 11, 0, 0, tzinfo=datetime.UTC), tick=False)
    later = client.get(feed)
    assert cached(later) == "miss" and later.content.count(b"<item>") == 2


def kept_entries():
    cache = caches[settings.PAGE_CACHE_ALIAS]
    return [entry for key in cache_keys() if isinstance(entry := cache.get(key), dict)]


# When the cache fails.


def test_a_cache_that_is_down_serves_every_page_uncached(client, site_pages, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache_backends.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    first, second = get_twice(client, "/")
    assert first.status_code == second.status_code == 200
    assert cached(second) != "hit"


def test_entries_left_from_before_a_change_are_never_served_after_it(client, site_pages):
    """A cache that comes back after an outage with its old entries: their generations are
    old, so none is served (nothing had to be purged)."""
    _home, news = site_pages
    story = add_story(news, title="Kept before the outage")
    get_twice(client, story.url)
    before = kept_entries()
    story.title = "Changed during the outage"
    story.save_revision().publish()
    assert kept_entries() == before  # nothing purged
    assert b"Changed during the outage" in client.get(story.url).content


# The generations behind it.


def test_every_watched_table_has_its_trigger():
    """Django rebuilds a SQLite table to alter it and drops its triggers with it: a migration
    that alters a watched table must watch it again."""
    from django.apps import apps

    watched = generations.watched_tables()
    expected = {
        "wagtailcore.Page": "content",
        "website.StoryPage": "content",
        "website.ConsentRecord": "content",
        "wagtailimages.Image": "content",
        "prayer.PrayerRequest": "prayer",
        "vigils.VigilSlot": "vigils",
        "campaigns.ChurchRegistration": "campaigns",
        "volunteers.Shift": "volunteers",
    }
    for label, area in expected.items():
        assert watched.get(apps.get_model(label)._meta.db_table) == area, label


def test_only_the_live_count_escapes_the_prayer_requests_trigger():
    """Every other column of a request moves the generation, including one added later (a
    migration that adds a column must watch the table again)."""
    columns = {field.column for field in PrayerRequest._meta.local_concrete_fields}
    watched = generations.update_columns(PrayerRequest._meta.db_table)
    assert watched == columns - {"prayed_count"}
    assert generations.update_columns("wagtailcore_page") is None


# Tables whose rows no public page shows, so a change to them moves no generation.
UNWATCHED = {
    "core.Generation": "the generations themselves",
    "core.Suppression": "email suppression list",
    "core.WebhookReceipt": "provider webhooks",
    "core.OutboundEmail": "the outbox",
    "core.TaskHeartbeat": "health",
    "website.User": "accounts; no page shows them",
    "digests.DigestIssue": "digests; their browser view is not kept",
    "digests.DigestDelivery": "digest sends",
    "digests.Subscription": "subscribers",
    "vigils.CalendarSubscription": "subscribers",
    "vigils.CalendarDaySend": "sends",
    "vigils.CalendarDelivery": "sends",
    "vigils.VigilMessage": "organisers' messages",
    "vigils.VigilMessageDelivery": "sends",
    "prayer.PrayedMark": "who prayed; the count is on the request",
    "volunteers.Volunteer": "volunteers' details",
    "volunteers.SafeguardingCheck": "volunteers' checks",
    "volunteers.ShiftMessage": "coordinators' messages",
    "volunteers.ShiftMessageDelivery": "sends",
    "volunteers.CoordinatorSummary": "coordinators' emails",
    "campaigns.RegistrationContact": "church contacts",
    "campaigns.ResourceDownload": "download counts",
    "campaigns.CampaignUpdate": "campaign emails",
    "campaigns.UpdateDelivery": "sends",
}
# Apps whose tables no public page shows at all.
UNWATCHED_APPS = {
    "wagtailforms",
    "wagtailembeds",  # oEmbed answers, fetched while a page is drawn; the page's own field moves
    "wagtailusers",
    "wagtailsearch",
    "wagtailadmin",
    "account",
    "mfa",
    "django_q",
    "auth",
    "contenttypes",
    "sessions",
}
UNWATCHED_WAGTAIL = {
    "wagtailimages.Rendition": "made while a page is drawn; the image's own row moves",
    "taggit.TaggedItem": "stories use website.StoryTag",
}
WAGTAILCORE_WATCHED = {"Page", "Site", "Locale", "Collection", "PageViewRestriction"}


def test_every_table_is_watched_or_known_to_show_on_no_page():
    from django.apps import apps

    watched = generations.watched_tables()
    missing = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or meta.app_label in UNWATCHED_APPS:
            continue
        label = f"{meta.app_label}.{model.__name__}"
        if label in UNWATCHED or label in UNWATCHED_WAGTAIL:
            assert meta.db_table not in watched, label
            continue
        if meta.app_label == "wagtailcore" and model.__name__ not in WAGTAILCORE_WATCHED:
            continue  # revisions, workflows, logs, permissions: the back office's
        if meta.db_table not in watched:
            missing.append(label)
    assert missing == []


@pytest.mark.django_db(transaction=True)
def test_a_generation_moves_exactly_when_the_change_is_committed():
    """Read from another connection: not before the commit (a page drawn then is drawn from
    the old rows, and kept under the old number), and at the commit."""
    import threading

    from django.db import connections, transaction

    from prayer.models import Topic

    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL")
    seen = {}
    changed = threading.Event()
    read = threading.Event()

    def other_connection():
        try:
            changed.wait(10)
            seen["during"] = generations.current().get("prayer")
            read.set()
        finally:
            connections.close_all()

    before = generations.current().get("prayer")
    reader = threading.Thread(target=other_connection)
    reader.start()
    with transaction.atomic():
        Topic.objects.create(name="Refuge", slug="refuge")
        changed.set()
        read.wait(10)
    reader.join()
    assert seen["during"] == before
    assert generations.current()["prayer"] != before
