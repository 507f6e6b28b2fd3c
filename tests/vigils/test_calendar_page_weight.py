"""A long prayer calendar's page shows a week at a time and stays light (issue 16)."""

import datetime
import re

import pytest
from django.db import transaction

from tests.factories import add_prayer_calendar, build_site
from vigils.page_weight import page_weight

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture(scope="module")
def long_calendar(django_db_setup, django_db_blocker):
    """Published once for the module (a hundred days take a second or more to save), read by
    each test inside its own transaction, and rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        home, _ = build_site()
        yield add_prayer_calendar(
            home, title="A hundred days", days=100, start_date=datetime.date(2026, 3, 1)
        )
        transaction.set_rollback(True)


def shown_days(html):
    return [
        int(number) for number in re.findall(r'<li class="calendar-day[^"]*" id="day-(\d+)"', html)
    ]


def test_a_hundred_day_calendar_is_light(client, long_calendar, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False)
    response = client.get(long_calendar.url)

    assert response.status_code == 200
    weight = page_weight(response.content)
    assert weight["gzip_bytes"] <= 60_000, weight
    assert weight["elements"] <= 1_500, weight
    html = response.content.decode()
    assert shown_days(html) == list(range(20, 27)), "today (day 20) and the six after"
    assert 'id="day-20" aria-current="date"' in html
    assert "Days 20 to 26 of 100" in html
    assert "?from=13" in html and "?from=27" in html


@pytest.mark.parametrize(
    ("moment", "wanted", "days"),
    [
        (datetime.datetime(2026, 2, 1, tzinfo=UTC), "", range(1, 8)),  # before it starts
        (datetime.datetime(2026, 9, 1, tzinfo=UTC), "", range(94, 101)),  # after it ends
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "50", range(50, 57)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "99", range(94, 101)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "0", range(20, 27)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "-3", range(20, 27)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "9" * 5000, range(20, 27)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "<b>", range(20, 27)),
        (datetime.datetime(2026, 3, 20, 12, tzinfo=UTC), "٣", range(20, 27)),
    ],
)
def test_the_week_shown(client, long_calendar, time_machine, moment, wanted, days):
    time_machine.move_to(moment, tick=False)
    response = client.get(long_calendar.url, {"from": wanted})
    assert response.status_code == 200
    assert shown_days(response.content.decode()) == list(days)


def test_a_calendar_of_two_weeks_is_shown_whole(client, long_calendar):
    home = long_calendar.get_parent()  # the module's site (build_site makes one site only)
    calendar = add_prayer_calendar(home, title="Two weeks", days=14)
    html = client.get(calendar.url).content.decode()
    assert shown_days(html) == list(range(1, 15)) and "Earlier days" not in html
