"""The prayer calendar page, its RSS feed (no future day leaks) and its ICS file."""

import datetime
import xml.etree.ElementTree as ET

import icalendar
import pytest

from tests.factories import add_campaign, add_prayer_calendar

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def calendar(site_pages):
    home, _ = site_pages
    # Day 1 on 1 March in Auckland (UTC+13): its days begin at 11:00 UTC the day before.
    return add_prayer_calendar(
        home, days=5, start_date=datetime.date(2026, 3, 1), time_zone="Pacific/Auckland"
    )


def test_today_is_highlighted_and_past_days_stay_readable(client, calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)  # 3 Mar NZ

    html = client.get(calendar.url).content.decode()

    assert 'id="day-3" aria-current="date"' in html
    assert "calendar-day--today" in html and html.count("calendar-day--past") == 2
    assert "Reading for day 1." in html and "First point of day 1" in html
    assert "<strong>Today</strong>" in html
    day = client.get(calendar.url + "day/1/")
    assert day.status_code == 200 and "Focus 1" in day.content.decode()
    assert client.get(calendar.url + "day/9/").status_code == 404


def test_rss_shows_each_day_only_from_its_date(client, calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 10, 59, tzinfo=UTC), tick=False)
    response = client.get(calendar.url + "feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(response.content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Day 1: Focus 1"]
    assert "Focus 2" not in response.content.decode() and "day 2" not in response.content.decode()

    time_machine.move_to(datetime.datetime(2026, 3, 1, 11, 0, tzinfo=UTC), tick=False)
    items = ET.fromstring(client.get(calendar.url + "feed/").content).findall("./channel/item")
    assert [item.findtext("title") for item in items] == ["Day 2: Focus 2", "Day 1: Focus 1"]
    assert items[0].findtext("pubDate") == "Sun, 01 Mar 2026 11:00:00 +0000"
    assert items[0].findtext("link").endswith(calendar.url + "day/2/")
    assert items[0].findtext("guid").endswith("/day/2/")


def test_rss_before_the_first_day_is_an_empty_valid_feed(client, calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 1, tzinfo=UTC), tick=False)
    root = ET.fromstring(client.get(calendar.url + "feed/").content)
    assert root.tag == "rss" and root.findall("./channel/item") == []


def test_ics_has_one_all_day_event_per_day_with_stable_uids(client, calendar):
    response = client.get(calendar.url + "ics/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 5
    first = events[0]
    assert first.decoded("dtstart") == datetime.date(2026, 3, 1)
    assert first.decoded("dtend") == datetime.date(2026, 3, 2)
    assert str(first["summary"]) == "Day 1: Focus 1"
    assert "First point of day 1" in str(first["description"])
    assert len({str(event["uid"]) for event in events}) == 5
    assert client.get(calendar.url + "ics/").content.count(b"UID:") == 5


def test_calendar_tied_to_a_campaign_links_back(client, site_pages):
    home, _ = site_pages
    campaign = add_campaign(home)
    calendar = add_prayer_calendar(home, campaign=campaign)
    html = client.get(calendar.url).content.decode()
    assert f'href="{campaign.url}"' in html


@pytest.mark.usefixtures("drawn_pages")
def test_calendar_page_queries_do_not_grow_with_days(client, site_pages, django_assert_num_queries):
    home, _ = site_pages
    short = add_prayer_calendar(home, title="Short", days=3)
    long = add_prayer_calendar(home, title="Long", days=21)
    client.get(short.url)
    client.get(long.url)
    with django_assert_num_queries(CALENDAR_PAGE_QUERIES):
        client.get(short.url)
    with django_assert_num_queries(CALENDAR_PAGE_QUERIES):
        client.get(long.url)


# The Site and the home page come from the cache (core/caching.py), the view restrictions
# from one query for the request (core/page_privacy.py).
CALENDAR_PAGE_QUERIES = 5


def test_campaign_page_links_to_its_live_vigils_and_calendars(client, site_pages):
    from tests.factories import add_vigil

    home, _ = site_pages
    campaign = add_campaign(home)
    add_prayer_calendar(home, title="21 days for freedom", campaign=campaign)
    add_vigil(home, title="Week of unbroken prayer", campaign=campaign)
    draft = add_vigil(home, title="Draft vigil", campaign=campaign)
    draft.unpublish()

    html = client.get(campaign.url).content.decode()

    assert "Pray with us" in html
    assert "21 days for freedom" in html and "Week of unbroken prayer" in html
    assert "Draft vigil" not in html
