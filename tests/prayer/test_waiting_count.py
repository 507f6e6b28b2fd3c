"""How many prayer requests wait: shown in the admin menu beside "Prayer requests"."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from prayer.models import PrayerRequest
from tests.factories import UserFactory
from tests.prayer.request_helpers import make_moderator, make_request

pytestmark = pytest.mark.django_db

Status = PrayerRequest.Status


def menu_labels(client):
    """The admin sidebar's menu as the page sends it to the browser (JSON in a script tag)."""
    return client.get("/admin/").content.decode()


def test_the_menu_counts_the_requests_waiting(client, site_pages):
    for title in ("A", "B", "C", "D"):
        make_request(title, status=Status.SUBMITTED)
    make_request("On the wall", status=Status.APPROVED)
    make_request("Rejected", status=Status.REJECTED)
    client.force_login(make_moderator())

    html = menu_labels(client)
    assert "Prayer requests (4)" in html
    assert '"label": "Prayer (4)"' in html, "seen with the Prayer menu closed"

    PrayerRequest.objects.filter(title="A").update(status=Status.APPROVED)
    assert "Prayer requests (3)" in menu_labels(client)


def test_no_count_when_nothing_waits(client, site_pages):
    make_request("On the wall", status=Status.APPROVED)
    client.force_login(make_moderator())
    html = menu_labels(client)
    assert "Prayer requests" in html
    assert "Prayer requests (" not in html and "Prayer (" not in html


def test_other_groups_see_neither_the_item_nor_the_count(client, site_pages):
    make_request("Waiting", status=Status.SUBMITTED)
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name="Volunteer coordinators"))
    client.force_login(user)
    html = menu_labels(client)
    assert "Prayer requests" not in html and "Prayer (" not in html


def test_groups_that_see_the_prayer_menu_but_do_not_moderate_see_no_count(client, site_pages):
    make_request("Waiting", status=Status.SUBMITTED)
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name="Campaign coordinators"))  # they organise vigils
    client.force_login(user)
    html = menu_labels(client)
    assert '"label": "Prayer"' in html
    assert "Prayer (1)" not in html


@pytest.mark.parametrize("waiting", [0, 50])
def test_the_count_is_one_query(site_pages, django_assert_num_queries, waiting):
    for number in range(waiting):
        make_request(f"Request {number}", status=Status.SUBMITTED)
    request = RequestFactory().get("/admin/")
    request.user = make_moderator()
    item = PrayerRequest.snippet_viewset.menu_item_class("Prayer requests", "/admin/x/")
    with django_assert_num_queries(1):
        component = item.render_component(request)
    assert component.label == (f"Prayer requests ({waiting})" if waiting else "Prayer requests")
