"""The prayer wall: what it lists and in what order, filters, permalinks, feeds, privacy."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prayer.demo import create_prayer_demo
from prayer.models import PrayerRequest, PrayerWallPage, Topic
from prayer.models.wall import WALL_PAGE_SIZE
from tests.factories import add_story
from tests.filter_helpers import MALFORMED, assert_forgiven
from tests.prayer.request_helpers import (
    CANARY,
    make_region,
    make_request,
    make_topic,
    make_wall,
)

pytestmark = pytest.mark.django_db

Status = PrayerRequest.Status


@pytest.fixture
def wall(site_pages):
    home, _news = site_pages
    return make_wall(home)


def titles_in_order(html, titles):
    positions = {title: html.find(title) for title in titles}
    assert all(position >= 0 for position in positions.values()), positions
    return sorted(titles, key=positions.get)


def test_lists_urgent_first_then_least_prayed(client, wall):
    make_request("Often prayed", prayed_count=40)
    make_request("Rarely prayed", prayed_count=2)
    make_request("Urgent and prayed", prayed_count=90, urgent=True)
    response = client.get(wall.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert titles_in_order(html, ["Often prayed", "Rarely prayed", "Urgent and prayed"]) == [
        "Urgent and prayed",
        "Rarely prayed",
        "Often prayed",
    ]
    assert html.count("<h1") == 1


def test_card_shows_topics_region_badge_and_count(client, wall):
    make_request(
        "Court hearing",
        urgent=True,
        prayed_count=17,
        topics=[make_topic("Justice")],
        regions=[make_region("Mumbai")],
    )
    make_request("School exams")
    html = client.get(wall.url).content.decode()
    assert html.count("prayer-badge--urgent") == 1
    assert 'href="/prayer-wall/?topic=justice">Justice</a>' in html
    assert '<span class="prayer-card__region">Mumbai</span>' in html
    assert "<span data-prayed-count>17</span>" in html


def test_only_published_unexpired_approved_requests(client, wall, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
    make_request("Approved now")
    make_request("Still submitted", status=Status.SUBMITTED)
    make_request("Was rejected", status=Status.REJECTED)
    make_request("Archived long ago", status=Status.ARCHIVED)
    make_request(
        "Publishes tomorrow", publish_at=datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC)
    )
    make_request(
        "Expires tonight", expires_at=datetime.datetime(2026, 6, 1, 20, tzinfo=datetime.UTC)
    )

    html = client.get(wall.url).content.decode()
    assert "Approved now" in html and "Expires tonight" in html
    for hidden in ("Still submitted", "Was rejected", "Archived long ago", "Publishes tomorrow"):
        assert hidden not in html

    time_machine.move_to(datetime.datetime(2026, 6, 2, 9, tzinfo=datetime.UTC))
    html = client.get(wall.url).content.decode()
    assert "Publishes tomorrow" in html
    assert "Expires tonight" not in html


def test_answered_requests_show_their_praise_report(client, wall):
    make_request(
        "Visa for the counsellor",
        status=Status.ANSWERED,
        praise_report="The visa came through in time.",
    )
    make_request("Still praying", praise_report="Not shown until answered")
    html = client.get(wall.url).content.decode()
    assert 'id="answered"' in html
    assert "The visa came through in time." in html
    assert "Not shown until answered" not in html


def test_filters_by_topic_and_region(client, wall):
    children, justice = make_topic("Children"), make_topic("Justice")
    kolkata, mumbai = make_region("Kolkata"), make_region("Mumbai")
    make_request("School exams", topics=[children], regions=[kolkata])
    make_request("Court hearing", topics=[justice], regions=[mumbai])
    make_request("Holiday club", topics=[children], regions=[mumbai])

    html = client.get(wall.url, {"topic": "children"}).content.decode()
    assert "School exams" in html and "Holiday club" in html and "Court hearing" not in html

    html = client.get(wall.url, {"topic": "children", "region": "mumbai"}).content.decode()
    assert "Holiday club" in html and "School exams" not in html and "Court hearing" not in html


def listed_requests(response):
    return [item.title for item in response.context["prayer_requests"]]


@pytest.mark.parametrize("kind", ["unknown", *MALFORMED])
@pytest.mark.parametrize("name", ["topic", "region"])
def test_an_unknown_or_malformed_filter_shows_all_requests_with_a_note(client, wall, name, kind):
    make_request("School exams", topics=[make_topic("Children")], regions=[make_region("Kolkata")])
    make_request("Court hearing")
    value, shown = MALFORMED.get(kind, ("no-such-thing", "no-such-thing"))
    note = f"No {name} called “{shown}”; showing all requests."
    valid = {"topic": "children", "region": "kolkata"}
    assert_forgiven(
        client, wall.url, {name: value}, note, listed=listed_requests, valid={name: valid[name]}
    )


def test_a_valid_topic_still_filters_beside_an_unknown_region(client, wall):
    make_request("School exams", topics=[make_topic("Children")])
    make_request("Court hearing")
    response = client.get(wall.url, {"topic": "children", "region": "atlantis"})
    assert listed_requests(response) == ["School exams"]
    assert "No region called “atlantis”; leaving that filter out." in response.content.decode()


@pytest.mark.parametrize(
    "page", ["2", "999999", "-1", "abc", "1e9", "", "0", "' OR 1=1 --", "\x00", "9" * 400]
)
def test_any_page_number_is_answered(client, wall, page):
    for number in range(WALL_PAGE_SIZE + 3):
        make_request(f"Request number {number}")
    response = client.get(wall.url, {"page": page})
    assert response.status_code == 200
    assert "Request number" in response.content.decode()


def test_pagination_splits_the_list(client, wall):
    for number in range(WALL_PAGE_SIZE + 2):
        make_request(f"Request {number:02d}", prayed_count=number)
    first = client.get(wall.url).content.decode()
    second = client.get(wall.url, {"page": 2}).content.decode()
    assert "Request 00" in first and "Request 00" not in second
    assert f"Request {WALL_PAGE_SIZE + 1:02d}" in second


@pytest.mark.usefixtures("drawn_pages")
def test_wall_uses_a_fixed_number_of_queries(client, wall):
    topics = [make_topic(f"Topic {n}") for n in range(3)]
    regions = [make_region(f"Region {n}") for n in range(3)]

    def make_many(count, start):
        for number in range(start, start + count):
            make_request(
                f"Request {number}",
                topics=topics[: 1 + number % 3],
                regions=[regions[number % 3]],
                status=Status.ANSWERED if number % 5 == 0 else Status.APPROVED,
                praise_report="Thank you",
            )

    make_many(5, 0)
    client.get(wall.url)  # warm Wagtail's site and settings caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(wall.url).status_code == 200
    make_many(45, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(wall.url).status_code == 200
    assert len(many) == len(few)


def test_permalink_shows_one_request(client, wall):
    prayer_request = make_request("Courage to leave", public_text="Pray for courage.")
    response = client.get(f"{wall.url}{prayer_request.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Courage to leave" in html and "Pray for courage." in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.SUBMITTED},
        {"status": Status.REJECTED},
        {"status": Status.ARCHIVED},
        {"expires_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        {"publish_at": datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)},
    ],
)
def test_permalink_404_unless_on_the_wall(client, wall, fields):
    prayer_request = make_request("Not for the public", **fields)
    assert client.get(f"{wall.url}{prayer_request.pk}/").status_code == 404


def test_permalink_404_for_unknown_id(client, wall):
    assert client.get(f"{wall.url}987654/").status_code == 404


def parse_rss(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content)


def test_feed_lists_wall_requests_with_links(client, wall):
    children = make_topic("Children")
    approved = make_request("School exams", topics=[children])
    make_request("Waiting for moderation", status=Status.SUBMITTED)
    channel = parse_rss(client.get(f"{wall.url}feed/")).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["School exams"]
    assert items[0].findtext("link") == f"http://testserver{wall.url}{approved.pk}/"
    assert items[0].findtext("category") == "Children"


def test_topic_feed_has_only_that_topic(client, wall):
    children, justice = make_topic("Children"), make_topic("Justice")
    make_request("School exams", topics=[children])
    make_request("Court hearing", topics=[justice])
    make_request(
        "A home found", topics=[children], status=Status.ANSWERED, praise_report="Moved in."
    )
    channel = parse_rss(client.get(f"{wall.url}topics/children/feed/")).find("channel")
    titles = {item.findtext("title") for item in channel.findall("item")}
    assert titles == {"School exams", "Answered: A home found"}
    assert "Children" in channel.findtext("title")


@pytest.mark.parametrize("slug", ["nothing-here", "children%00", "%3Cscript%3E"])
def test_unknown_topic_feed_is_404(client, wall, slug):
    make_topic("Children")
    assert client.get(f"{wall.url}topics/{slug}/feed/").status_code == 404


def test_wall_links_its_feeds(client, wall):
    make_topic("Children")
    html = client.get(wall.url, {"topic": "children"}).content.decode()
    assert f'href="{wall.url}feed/"' in html
    assert f'href="{wall.url}topics/children/feed/"' in html


def test_html_in_requests_is_escaped(client, wall):
    prayer_request = make_request(
        "<script>alert(1)</script>", public_text="<img src=x onerror=alert(2)> pray"
    )
    for url in (wall.url, f"{wall.url}{prayer_request.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html


def test_no_inline_scripts_or_styles(client, wall):
    make_request("School exams")
    html = client.get(wall.url).content.decode()
    assert "<script>" not in html
    assert 'src="/static/js/prayed.js"' in html
    assert " style=" not in html


def test_restricted_text_never_reaches_a_public_surface(client, wall, site_pages):
    _home, news = site_pages
    add_story(news, title="A story to index")
    topic = make_topic("Justice")
    approved = make_request(
        "Court hearing", topics=[topic], restricted_text=f"Court address {CANARY}"
    )
    make_request(
        "Answered hearing",
        topics=[topic],
        status=Status.ANSWERED,
        praise_report="Justice was done.",
        restricted_text=f"Judge's name {CANARY}",
    )
    surfaces = [
        wall.url,
        f"{wall.url}?topic=justice",
        f"{wall.url}{approved.pk}/",
        f"{wall.url}feed/",
        f"{wall.url}topics/justice/feed/",
        "/search/?q=canary",
        "/search/?q=court+address+judge",
        "/sitemap.xml",
    ]
    for url in surfaces:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY.lower() not in response.content.decode().lower(), url
    assert "Court hearing" in client.get(wall.url).content.decode()


def test_demo_content_is_idempotent(site_pages):
    home, _news = site_pages
    first = create_prayer_demo(home)
    assert first == {"topics": 6, "wall": 1, "requests": 12}
    second = create_prayer_demo(home)
    assert second == {"topics": 0, "wall": 0, "requests": 0}
    assert Topic.objects.count() == 6
    wall = PrayerWallPage.objects.get()
    assert wall.slug == "prayer-wall" and wall.show_in_menus and wall.live
    assert PrayerRequest.objects.count() == 12
    assert PrayerRequest.objects.filter(status=Status.SUBMITTED).count() == 1
    assert (
        PrayerRequest.objects.filter(status=Status.ANSWERED).exclude(praise_report="").count() == 2
    )
    assert PrayerRequest.objects.filter(urgent=True).count() >= 2
    assert PrayerRequest.objects.exclude(restricted_text="").count() == 1
    assert PrayerRequest.objects.on_wall().count() == 11


def test_demo_wall_renders(client, site_pages):
    home, _news = site_pages
    create_prayer_demo(home)
    wall = PrayerWallPage.objects.get()
    html = client.get(wall.url).content.decode()
    assert "Courage for a young mother to leave" in html
    assert "Pray for my sister" not in html
    assert "vetted supporters only" not in html
