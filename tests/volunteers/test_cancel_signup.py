"""Cancelling a sign-up asks once ("Cancel this sign-up?"): a GET shows the question and never
cancels, the button's POST cancels, and the cancelled shift then offers to sign up again, where
the waitlist rule still holds."""

import datetime
import re
import zoneinfo

import pytest

from tests.factories import add_opportunity, add_shift
from tests.volunteers.helpers import sign_up_by_form
from volunteers import signups
from volunteers.links import manage_path
from volunteers.models import Shift, SignUp

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
START = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=KOLKATA)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=KOLKATA), tick=False)


@pytest.fixture
def shift(site_pages):
    home, _news = site_pages
    return add_shift(add_opportunity(home), starts_at=START, capacity=1)


@pytest.fixture
def priya(client, shift):
    sign_up_by_form(client, shift)
    return SignUp.objects.get(volunteer__email="priya@example.org")


def test_a_get_asks_and_never_cancels(client, priya):
    manage = manage_path(priya.volunteer)
    page = client.get(manage).content.decode()
    assert '<form method="get">' in page and f'name="cancel" value="{priya.pk}"' in page
    assert 'name="action" value="cancel"' not in page, "the list page cannot cancel in one step"

    response = client.get(manage, {"cancel": priya.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Cancel this sign-up?</h1>" in html
    assert re.search(rf'<form method="post" action="{re.escape(manage)}"', html)
    assert f'name="signup" value="{priya.pk}"' in html and "No, keep it" in html
    assert '<meta name="robots" content="noindex">' in html
    priya.refresh_from_db()
    assert priya.status == SignUp.Status.CONFIRMED


def test_the_post_cancels_and_the_shift_offers_to_sign_up_again(client, shift, priya):
    manage = manage_path(priya.volunteer)
    response = client.post(manage, {"action": "cancel", "signup": priya.pk})
    assert response.status_code == 302
    priya.refresh_from_db()
    assert priya.status == SignUp.Status.CANCELLED

    html = client.get(manage).content.decode()
    sign_up = f"/volunteer/shifts/{shift.pk}/sign-up/"
    assert f'href="{sign_up}">Sign up again' in html
    assert f'name="cancel" value="{priya.pk}"' not in html
    assert client.get(sign_up).status_code == 200

    sign_up_by_form(client, shift)
    again = SignUp.objects.active().get(volunteer=priya.volunteer)
    assert again.status == SignUp.Status.CONFIRMED and again.pk != priya.pk
    assert "Sign up again" not in client.get(manage).content.decode(), "held again: no offer"

    client.post(manage, {"action": "cancel", "signup": again.pk})
    assert client.get(manage).content.decode().count("Sign up again") == 1, "once per shift"


def test_signing_up_again_for_a_shift_now_full_joins_the_waitlist(client, shift, priya):
    manage = manage_path(priya.volunteer)
    client.post(manage, {"action": "cancel", "signup": priya.pk})
    sign_up_by_form(client, shift, email="radha@example.org", name="Radha")
    shift.refresh_from_db()
    assert shift.confirmed_count == 1

    sign_up_by_form(client, shift)
    again = SignUp.objects.active().get(volunteer=priya.volunteer)
    assert again.status == SignUp.Status.WAITLISTED
    assert "number 1 on the waitlist" in client.get(manage).content.decode()


@pytest.mark.parametrize("value", ["", "abc", "999999", "²", "1" * 40, "' OR 1=1 --"])
def test_asking_about_no_sign_up_of_yours_is_not_found(client, shift, priya, value):
    other = add_shift(shift.opportunity, starts_at=START + datetime.timedelta(days=1))
    stranger = signups.request_signup(signups.volunteer_for_form("x@example.org"), other)
    for asked in (value, str(stranger.pk)):
        response = client.get(manage_path(priya.volunteer), {"cancel": asked})
        assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.status == SignUp.Status.PENDING_EMAIL


def test_a_cancelled_or_started_sign_up_is_not_asked_about_again(
    client, shift, priya, time_machine
):
    manage = manage_path(priya.volunteer)
    client.post(manage, {"action": "cancel", "signup": priya.pk})
    response = client.get(manage, {"cancel": priya.pk})
    assert response.status_code == 302 and response["Location"] == manage

    sign_up_by_form(client, shift)
    again = SignUp.objects.active().get(volunteer=priya.volunteer)
    time_machine.move_to(START + datetime.timedelta(minutes=5), tick=False)
    response = client.get(manage, {"cancel": again.pk}, follow=True)
    assert "This shift has started" in response.content.decode()
    assert "Sign up again" not in response.content.decode()
    again.refresh_from_db()
    assert again.status == SignUp.Status.CONFIRMED


def test_no_offer_to_sign_up_again_for_a_cancelled_shift(client, shift, priya):
    manage = manage_path(priya.volunteer)
    client.post(manage, {"action": "cancel", "signup": priya.pk})
    Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.CANCELLED)
    assert "Sign up again" not in client.get(manage).content.decode()
