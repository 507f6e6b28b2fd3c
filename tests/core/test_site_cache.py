"""Wagtail's Site for a request comes from a cached list of Sites (core/caching.py), not a
query on every page (issue 16, point 4), and follows every change to a Site at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from core.caching import SITES_KEY, site_for_hostname
from tests.factories import add_story, build_site
from website.models import StandardPage

pytestmark = pytest.mark.django_db


def site_queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured if '"wagtailcore_site"' in q["sql"]]


def test_a_page_asks_the_database_for_no_site_once_the_list_is_cached(client, site_pages):
    home, news = site_pages
    story = add_story(news)
    client.get("/")  # the list of Sites is cached
    for url in ("/", news.url, story.url):
        assert site_queries(client, url) == [], url


def test_another_sites_pages_are_served_at_once_and_stop_at_once(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example.org"]
    home, _ = build_site()
    assert client.get("/").status_code == 200  # the list of Sites is cached
    other_root = StandardPage(title="Other", slug="other-root")
    home.get_parent().add_child(instance=other_root)
    other = Site.objects.create(hostname="other.example.org", port=80, root_page=other_root)

    response = client.get("/", HTTP_HOST="other.example.org")
    assert response.status_code == 200
    assert response.context["page"].pk == other_root.pk

    other.delete()
    response = client.get("/", HTTP_HOST="other.example.org")
    assert response.context["page"].pk == home.pk, "the default site answers again"


def test_a_moved_default_site_is_followed_at_once(client, settings, site_pages):
    home, news = site_pages
    client.get("/")
    site = Site.objects.get(is_default_site=True)
    site.root_page = news
    site.save()
    assert client.get("/").context["page"].pk == news.pk


def test_the_host_header_picks_among_known_sites_and_adds_no_cache_entry(site_pages):
    client = Client()
    client.get("/")
    cached = cache.get(SITES_KEY)
    assert [site.hostname for site in cached] == ["testserver"]
    for host in ("localhost", "127.0.0.1"):
        assert client.get("/", HTTP_HOST=host).status_code == 200
    assert cache.get(SITES_KEY) == cached


@pytest.mark.parametrize(
    ("hostname", "port", "expected"),
    [
        ("a.example", 80, "a80"),  # hostname and port
        ("a.example", 8080, "a-default"),  # hostname on the default site
        ("b.example", 80, "b"),  # the only hostname match beats the default
        ("c.example", 80, "default"),  # two hostname matches: the default
        ("nobody.example", 80, "default"),
    ],
)
def test_the_same_site_as_wagtails_own_lookup(site_pages, hostname, port, expected):
    home, _ = site_pages
    Site.objects.all().delete()
    sites = {
        "default": Site.objects.create(
            hostname="x.example", port=80, root_page=home, is_default_site=True
        ),
        "a80": Site.objects.create(hostname="a.example", port=80, root_page=home),
        "b": Site.objects.create(hostname="b.example", port=81, root_page=home),
        "c1": Site.objects.create(hostname="c.example", port=81, root_page=home),
        "c2": Site.objects.create(hostname="c.example", port=82, root_page=home),
    }
    if expected == "a-default":
        sites["default"].hostname = "a.example"
        sites["default"].port = 9
        sites["default"].save()
        sites[expected] = sites["default"]
    from wagtail.models.sites import get_site_for_hostname

    assert site_for_hostname(hostname, port).pk == sites[expected].pk
    assert get_site_for_hostname(hostname, port).pk == sites[expected].pk


def test_the_home_page_is_shown_from_the_database_not_from_the_cached_site(client, site_pages):
    """The cached Site keeps its root page to route from; the home page itself is read
    afresh, so a change shows even where no signal forgot the cache (another process)."""
    home, _ = site_pages
    assert client.get("/").status_code == 200  # the Site and its root page are cached
    type(home).objects.filter(pk=home.pk).update(hero_heading="Changed behind the cache")
    assert "Changed behind the cache" in client.get("/").content.decode()
    type(home).objects.filter(pk=home.pk).update(live=False)
    assert client.get("/").status_code == 404
