"""The "I prayed" button: POST only, once per visitor per request per day, rate-limited.

A visitor is a signed-in supporter's account, or else a two-day first-party cookie; never the
User-Agent. A connection (an address) counts many visitors a day for one request (a church's
Wi-Fi), up to a generous cap that bounds what clearing the cookie can add.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from prayer.models import PrayedMark, PrayerRequest
from prayer.views import VISITOR_COOKIE, VISITOR_COOKIE_MAX_AGE
from tests.factories import UserFactory
from tests.prayer.request_helpers import make_request, make_wall

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
HALL = 100  # a church hall on one Wi-Fi
CAP = 5  # a small cap per connection, request and day, to test it quickly
DAY = 24 * 60 * 60


def prayed_limits(**counted):
    return {**settings.RATE_LIMITS, "prayed": {**settings.RATE_LIMITS["prayed"], **counted}}


@pytest.fixture
def small_cap(settings):
    settings.RATE_LIMITS = prayed_limits(**{"ip-per-request": (CAP, DAY)})


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


def test_the_button_on_the_wall_carries_no_token(client, wall, prayer_request):
    """So the wall is the same page for everyone, and can be kept (core/page_cache.py)."""
    html = client.get(wall.url).content.decode()
    assert f'action="{here_url(prayer_request)}"' in html
    assert 'name="csrfmiddlewaretoken"' not in html
    assert "data-prayed-form" in html
    assert client.get(f"{wall.url}{prayer_request.pk}/").content.count(b"csrfmiddlewaretoken") == 0


def here_url(prayer_request):
    return f"/pray/request/{prayer_request.pk}/prayed/"


OWN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.mark.parametrize(
    "sent_from",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "https://evil.example"},
        OWN,
        {"HTTP_REFERER": "http://testserver/prayer-wall/?page=2"},
    ],
    ids=["fetch-metadata", "fetch-metadata-wins", "origin", "referer"],
)
def test_a_press_from_this_site_counts_without_a_token(wall, prayer_request, sent_from):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(here_url(prayer_request), {"next": f"{wall.url}?page=2"}, **sent_from)
    assert response.status_code == 302
    assert response["Location"] == f"{wall.url}?page=2#prayer-{prayer_request.pk}"
    assert count(prayer_request) == 4


@pytest.mark.parametrize(
    "sent_from",
    [
        {},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_REFERER": "https://evil.example/testserver/"},
        {"HTTP_REFERER": "not a url"},
    ],
)
def test_a_press_from_anywhere_else_is_refused_and_not_counted(wall, prayer_request, sent_from):
    plain = Client().post(here_url(prayer_request), **sent_from)
    assert plain.status_code == 403
    assert b"only works on our own pages" in plain.content
    fetched = Client().post(here_url(prayer_request), **sent_from, **JSON)
    assert fetched.status_code == 403 and "own pages" in fetched.json()["error"]
    assert count(prayer_request) == 3


def test_a_trusted_origin_counts(wall, prayer_request, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org"]
    response = Client().post(
        here_url(prayer_request), HTTP_ORIGIN="https://www.example.org", **JSON
    )
    assert response.json()["counted"] is True


def test_the_token_free_button_answers_only_posts_and_only_for_requests_on_the_wall(
    client, wall, prayer_request
):
    assert client.get(here_url(prayer_request)).status_code == 405
    hidden = make_request("Not public", status=PrayerRequest.Status.SUBMITTED)
    assert client.post(here_url(hidden), **OWN).status_code == 404
    assert client.post("/pray/request/999999/prayed/", **OWN).status_code == 404


def test_the_token_free_button_goes_back_only_to_a_wall(client, wall, prayer_request):
    for elsewhere in ("https://evil.example/", "//evil.example/", "/admin/", "javascript:x"):
        response = client.post(here_url(prayer_request), {"next": elsewhere}, **OWN)
        assert response["Location"] == f"{wall.url}#prayer-{prayer_request.pk}"


def test_the_old_button_on_the_page_route_still_asks_for_its_token(wall, prayer_request):
    """Forms already open in a browser post to the wall's own route, with their token."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(prayed_url(wall, prayer_request), **OWN).status_code == 403
    assert count(prayer_request) == 3


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


def test_rate_limited_per_connection_with_a_notice_on_the_wall(wall, prayer_request, settings):
    settings.RATE_LIMITS = prayed_limits(ip=(3, 60 * 60))
    others = [make_request(f"Request {n}") for n in range(3)]
    for number, other in enumerate(others):
        visitor = Client(HTTP_USER_AGENT=f"browser {number}", REMOTE_ADDR="198.51.100.7")
        assert visitor.post(prayed_url(wall, other)).status_code == 302
    visitor = Client(HTTP_USER_AGENT="one more", REMOTE_ADDR="198.51.100.7")
    response = visitor.post(prayed_url(wall, prayer_request))
    assert response.status_code == 302
    assert response["Location"] == f"{wall.url}#prayer-{prayer_request.pk}"
    wall_page = visitor.get(response["Location"]).content.decode()
    assert "Very many prayers were counted from your connection" in wall_page
    answer = visitor.post(prayed_url(wall, prayer_request), **JSON)
    assert answer.status_code == 429
    assert answer.json()["counted"] is False and answer.json()["prayed_count"] == 3
    assert "from your connection" in answer.json()["message"]
    assert count(prayer_request) == 3
    other_address = Client(REMOTE_ADDR="198.51.100.8")
    assert other_address.post(prayed_url(wall, prayer_request)).status_code == 302
    assert count(prayer_request) == 4


def test_a_changed_user_agent_does_not_count_again(wall, prayer_request):
    visitor = Client(REMOTE_ADDR="203.0.113.20")
    for agent in ("Firefox", "Safari", "Chrome", "", "x" * 5000):
        visitor.post(prayed_url(wall, prayer_request), HTTP_USER_AGENT=agent)

    assert count(prayer_request) == 4


def test_a_signed_in_supporter_counts_once_on_every_device(wall, prayer_request):
    supporter = UserFactory()
    for agent, address in (("Phone", "198.51.100.30"), ("Laptop", "203.0.113.31")):
        device = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
        device.force_login(supporter)
        device.post(prayed_url(wall, prayer_request))

    assert count(prayer_request) == 4


def test_the_visitor_cookie_lives_two_days_and_holds_nothing_about_them(wall, prayer_request):
    visitor = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
    visitor.post(prayed_url(wall, prayer_request))

    cookie = visitor.cookies[VISITOR_COOKIE]
    assert cookie["max-age"] == VISITOR_COOKIE_MAX_AGE == 2 * 24 * 60 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "203.0.113.9" not in cookie.value and "Firefox" not in cookie.value
    visitor.post(prayed_url(wall, prayer_request), **JSON)
    assert count(prayer_request) == 4, "the cookie identifies the visitor"


@pytest.mark.parametrize("forged", ["garbage", "abc:def", "", "x" * 4000, "visitor:1:sig"])
def test_a_forged_visitor_cookie_is_a_new_visitor_not_an_error(wall, prayer_request, forged):
    visitor = Client()
    visitor.cookies[VISITOR_COOKIE] = forged

    response = visitor.post(prayed_url(wall, prayer_request), **JSON)

    assert response.status_code == 200 and response.json()["counted"] is True
    assert visitor.cookies[VISITOR_COOKIE].value != forged


def test_a_church_hall_behind_one_connection_each_counts(wall, prayer_request):
    """A congregation on the church's Wi-Fi, many with the same phone and browser, praying
    through the wall together: each person counts once, for each request."""
    church_wifi = {"REMOTE_ADDR": "192.0.2.50", "HTTP_USER_AGENT": "Same phone, same browser"}
    other_request = make_request("Another request")
    people = [Client(**church_wifi) for _ in range(HALL)]
    for request in (prayer_request, other_request):
        answers = [person.post(prayed_url(wall, request), **JSON) for person in people]
        assert [answer.status_code for answer in answers] == [200] * HALL
        assert all(answer.json()["counted"] for answer in answers)
    assert count(prayer_request) == 3 + HALL
    again = people[0].post(prayed_url(wall, prayer_request), **JSON).json()
    assert again["counted"] is False and again["message"].startswith("Thank you: your prayer")


def test_people_behind_one_connection_each_count_up_to_the_cap(wall, prayer_request, small_cap):
    """Clearing the cookie is a new visitor too, so the cap is also all that clearing it can
    add."""
    church_wifi = {"REMOTE_ADDR": "192.0.2.50", "HTTP_USER_AGENT": "Same phone, same browser"}
    answers = [
        Client(**church_wifi).post(prayed_url(wall, prayer_request), **JSON).json()
        for _ in range(CAP + 1)
    ]

    assert [answer["counted"] for answer in answers] == [True] * CAP + [False]
    assert "from your connection" in answers[-1]["message"]
    assert count(prayer_request) == 3 + CAP
    elsewhere = Client(REMOTE_ADDR="192.0.2.51").post(prayed_url(wall, prayer_request), **JSON)
    assert elsewhere.json()["counted"] is True
    other_request = make_request("Another request")
    again = Client(**church_wifi).post(prayed_url(wall, other_request), **JSON)
    assert again.json()["counted"] is True, "the cap is per request"


def test_clearing_the_cookie_does_not_lift_the_cap_of_the_day(
    wall, prayer_request, time_machine, small_cap
):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC))
    visitor = Client(REMOTE_ADDR="192.0.2.60")
    for _ in range(CAP + 5):
        visitor.cookies.clear()
        visitor.post(prayed_url(wall, prayer_request))
    assert count(prayer_request) == 3 + CAP

    time_machine.move_to(datetime.datetime(2026, 6, 2, 9, tzinfo=datetime.UTC))
    visitor.post(prayed_url(wall, prayer_request))
    assert count(prayer_request) == 4 + CAP
