"""Search, feed, sitemap, robots.txt and the error pages."""

import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.templatetags.static import static
from django.test import Client

from tests.factories import add_story
from website.models import NewsIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(site_pages):
    _, news = site_pages
    return [
        add_story(news, title="Bakery opens", intro="Fresh bread and a trade."),
        add_story(news, title="School days", intro="Forty children, one classroom."),
    ]


def test_search_finds_published_pages(client, published):
    response = client.get("/search/?q=bakery")
    assert response.status_code == 200
    assert [page.title for page in response.context["results"]] == ["Bakery opens"]


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * 10000, "<script>alert(1)</script>", "' OR 1=1 --", "%00", "bakery&page=abc"],
)
def test_search_survives_any_query(client, published, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_feed_is_valid_rss_with_absolute_links(client, published):
    response = client.get("/feeds/stories/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert {item.findtext("title") for item in items} == {"Bakery opens", "School days"}
    assert all(item.findtext("link").startswith("http") for item in items)


def test_sitemap_lists_live_pages(client, published):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith("/stories/bakery-opens/") for loc in locations)


def test_robots_txt_points_to_the_sitemap(client, published):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_favicon_ico_leads_to_the_sites_icon(client, published):
    """Browsers ask for /favicon.ico on a page that names no icon (the printable roster, an
    email's preview) and feed readers ask anyway: the icon, not a 404 in the logs."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.svg")
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/stories/nope/", "/%E2%98%83/", "/a" * 400 + "/"]
)
def test_unknown_urls_get_a_friendly_404(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"search" in response.content.lower()


def test_server_errors_get_a_static_500_page(published):
    client = Client(raise_request_exception=False)
    with mock.patch.object(NewsIndexPage, "get_context", side_effect=RuntimeError("boom")):
        response = client.get("/stories/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<html" in html and "boom" not in html
