"""The "I prayed" button: POST only, once per visitor per request per day, rate-limited."""

import datetime

import pytest
from django.test import Client

from prayer.models import PrayedMark, PrayerRequest
from prayer.views.requests import PRAYED_LIMIT
from tests.prayer.request_helpers import make_request, make_wall

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def wall(site_pages):
    home, _news = site_pages
    return make_wall(home)


@pytest.fixture
def prayer_request():
    return make_request("School exams", prayed_count=3)


def prayed_url(wall, prayer_request):
    return f"{wall.url}{prayer_request.pk}/prayed/"


def count(prayer_request):
    prayer_request.refresh_from_db()
    return prayer_request.prayed_count


def test_without_javascript_redirects_back_with_a_message(client, wall, prayer_request):
    response = client.post(prayed_url(wall, prayer_request), {"next": f"{wall.url}?page=2"})
    assert response.status_code == 302
    assert response["Location"] == f"{wall.url}?page=2#prayer-{prayer_request.pk}"
    assert count(prayer_request) == 4
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for praying." in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/admin/", ""])
def test_redirects_only_back_to_the_wall(client, wall, prayer_request, next_url):
    response = client.post(prayed_url(wall, prayer_request), {"next": next_url})
    assert response["Location"] == f"{wall.url}#prayer-{prayer_request.pk}"


def test_counted_once_per_visitor_per_day(client, wall, prayer_request, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
    first = client.post(prayed_url(wall, prayer_request), **JSON).json()
    again = client.post(prayed_url(wall, prayer_request), **JSON).json()
    assert first == {"counted": True, "prayed_count": 4, "message": "Thank you for praying."}
    assert again["counted"] is False and again["prayed_count"] == 4
    assert count(prayer_request) == 4

    time_machine.move_to(datetime.datetime(2026, 6, 2, 9, tzinfo=datetime.UTC))
    assert client.post(prayed_url(wall, prayer_request), **JSON).json()["counted"] is True
    assert count(prayer_request) == 5
    assert PrayedMark.objects.filter(prayer_request=prayer_request).count() == 2


def test_each_visitor_counts(wall, prayer_request):
    for agent in ("Firefox", "Safari", "Chrome"):
        Client(HTTP_USER_AGENT=agent).post(prayed_url(wall, prayer_request))
    assert count(prayer_request) == 6


def test_visitor_is_stored_as_a_hash(client, wall, prayer_request):
    client.post(prayed_url(wall, prayer_request), REMOTE_ADDR="203.0.113.9")
    mark = PrayedMark.objects.get()
    assert "203.0.113.9" not in mark.visitor
    assert len(mark.visitor) == 64


def test_get_is_not_allowed(client, wall, prayer_request):
    assert client.get(prayed_url(wall, prayer_request)).status_code == 405
    assert count(prayer_request) == 3


def test_needs_the_csrf_token(wall, prayer_request):
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(prayed_url(wall, prayer_request)).status_code == 403
    assert count(prayer_request) == 3


def test_form_on_the_wall_carries_the_csrf_token(client, wall, prayer_request):
    html = client.get(wall.url).content.decode()
    assert f'action="{prayed_url(wall, prayer_request)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "data-prayed-form" in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PrayerRequest.Status.SUBMITTED},
        {"status": PrayerRequest.Status.REJECTED},
        {"expires_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
    ],
)
def test_only_requests_on_the_wall(client, wall, fields):
    hidden = make_request("Not public", **fields)
    assert client.post(prayed_url(wall, hidden)).status_code == 404
    assert count(hidden) == 0


def test_rate_limited_per_address(wall, prayer_request):
    limit, _window = PRAYED_LIMIT
    others = [make_request(f"Request {n}") for n in range(limit)]
    for number, other in enumerate(others):
        visitor = Client(HTTP_USER_AGENT=f"browser {number}", REMOTE_ADDR="198.51.100.7")
        assert visitor.post(prayed_url(wall, other)).status_code == 302
    visitor = Client(HTTP_USER_AGENT="one more", REMOTE_ADDR="198.51.100.7")
    response = visitor.post(prayed_url(wall, prayer_request))
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()
    assert visitor.post(prayed_url(wall, prayer_request), **JSON).status_code == 429
    assert count(prayer_request) == 3
    other_address = Client(REMOTE_ADDR="198.51.100.8")
    assert other_address.post(prayed_url(wall, prayer_request)).status_code == 302
    assert count(prayer_request) == 4
