"""The exact address has one gate (`volunteers.access`): a canary proves it stays off every
public surface, and reaches only confirmed (and, where required, cleared) volunteers."""

import pytest
from django.core import mail

from tests.factories import UserFactory, add_check, add_opportunity, add_shift, add_volunteer
from tests.volunteers.helpers import form_data
from volunteers import signups
from volunteers.access import can_see_exact_address
from volunteers.calendars import volunteer_feed
from volunteers.links import feed_path, manage_path
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

CANARY = "CANARY-ADDRESS"


@pytest.fixture
def opportunity(site_pages):
    home, _news = site_pages
    return add_opportunity(home, requires_safeguarding_check=True)


def account(volunteer):
    user = UserFactory(email=volunteer.email)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    return user


def test_canary_on_no_public_surface(client, opportunity):
    shift = add_shift(opportunity, capacity=1)
    index = opportunity.get_parent()
    public = [
        opportunity.url,
        index.url,
        index.url + "?open=1",
        "/search/?q=CANARY",
        "/search/?q=Hidden+Lane",
        "/sitemap.xml",
        f"/volunteer/shifts/{shift.pk}/calendar.ics",
        f"/volunteer/shifts/{shift.pk}/sign-up/",
        "/volunteer/sign-up/check-your-email/",
        "/feeds/stories/",
    ]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.content.decode(), url
    assert b"Kalighat" in client.get(f"/volunteer/shifts/{shift.pk}/calendar.ics").content

    client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", form_data())
    assert all(CANARY not in m.body and CANARY not in m.alternatives[0][0] for m in mail.outbox)


def test_pending_and_waitlisted_volunteers_do_not_see_it(client, opportunity):
    shift = add_shift(opportunity, capacity=1)
    cleared = add_volunteer(name="Cleared")
    add_check(cleared)
    signups.sign_up_with_account(account(cleared), shift)
    waiting = add_volunteer(name="Waiting")
    add_check(waiting)
    pending = add_volunteer(name="Pending")
    mail.outbox.clear()
    for volunteer in (waiting, pending):
        user = account(volunteer)
        signup = signups.sign_up_with_account(user, shift)
        assert signup.status in ("waitlisted", "pending_clearance")
        assert not can_see_exact_address(volunteer, opportunity)
        client.force_login(user)
        assert CANARY not in client.get(opportunity.url).content.decode()
        assert CANARY not in client.get(manage_path(volunteer)).content.decode()
        assert CANARY not in client.get(feed_path(volunteer)).content.decode()
        assert CANARY not in volunteer_feed(volunteer).decode()
    assert mail.outbox and all(CANARY not in m.body for m in mail.outbox)


def test_confirmed_cleared_volunteer_sees_it(client, opportunity):
    shift = add_shift(opportunity, capacity=2)
    volunteer = add_volunteer()
    add_check(volunteer)
    user = account(volunteer)
    assert signups.sign_up_with_account(user, shift).status == "confirmed"
    assert can_see_exact_address(volunteer, opportunity)
    client.force_login(user)
    assert CANARY in client.get(opportunity.url).content.decode()
    assert CANARY in client.get(manage_path(volunteer)).content.decode()
    assert CANARY in client.get(feed_path(volunteer)).content.decode()
    client.logout()
    assert CANARY not in client.get(opportunity.url).content.decode(), "not for everyone after"
    assert CANARY not in client.get(f"/volunteer/shifts/{shift.pk}/calendar.ics").content.decode()


def test_address_is_not_in_the_search_index(opportunity):
    from wagtail.search.backends import get_search_backend

    results = get_search_backend().search("Hidden", type(opportunity))
    assert list(results) == []
