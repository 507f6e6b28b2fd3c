"""The waitlist's order is the order in which sign-ups were placed under the shift's lock, and
the position each volunteer is told (page and email) is the position they hold.

A request's `now` is taken when it starts; under a burst the request that started first may
get the lock last. Stamped with its start, it would jump the queue ahead of volunteers who were
already told their place (`make bench-signup` checks this on 200 real requests).

A one-click sign-up is one transaction: the profile made for it commits with it."""

import datetime

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from tests.factories import UserFactory, add_opportunity, add_shift
from volunteers import signups
from volunteers.models import SignUp, Volunteer
from volunteers.views import result_message

pytestmark = pytest.mark.django_db


def told_position(signup):
    row = OutboundEmail.objects.get(about=str(signup.pk), kind="volunteers:waitlisted")
    return row.context["position"]


def test_a_sign_up_that_got_the_lock_later_goes_after_those_placed_before(site_pages):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), capacity=1)
    started = timezone.now()
    first = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True, now=started)
    second = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True, now=started)
    # Started a second before the others, placed after them.
    late = signups.sign_up_with_account(
        UserFactory(), shift, age_confirmed=True, now=started - datetime.timedelta(seconds=1)
    )

    assert first.status == SignUp.Status.CONFIRMED
    for signup in (second, late):
        signup.refresh_from_db()
    assert (second.waitlist_position(), late.waitlist_position()) == (1, 2)
    assert (told_position(second), told_position(late)) == (1, 2)
    assert late.waitlisted_at > second.waitlisted_at
    assert second.waitlisted_at == started, "a stamp in order is kept as it is"


def test_the_page_says_the_position_the_email_says(site_pages):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), capacity=1)
    placed = [
        signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True) for _ in range(3)
    ]
    assert "number 2 on the waitlist" in result_message(placed[2])
    assert told_position(placed[2]) == 2


def test_a_sign_up_promoted_in_order_after_a_late_stamp(site_pages):
    """Promotion follows the same order: the one placed first is promoted first."""
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), capacity=1)
    started = timezone.now()
    holder = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True, now=started)
    second = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True, now=started)
    signups.sign_up_with_account(
        UserFactory(), shift, age_confirmed=True, now=started - datetime.timedelta(seconds=1)
    )
    signups.cancel(holder.pk)
    second.refresh_from_db()
    assert second.status == SignUp.Status.CONFIRMED


def test_the_profile_made_for_a_sign_up_commits_with_it_or_not_at_all(site_pages):
    """One transaction, one commit to wait for: a first sign-up that is refused leaves no
    profile behind; the next click makes it with the sign-up."""
    home, _news = site_pages
    shift = add_shift(add_opportunity(home, minimum_age=18), capacity=1)
    user = UserFactory()
    with pytest.raises(signups.SignUpRefused, match="at least 18"):
        signups.sign_up_with_account(user, shift, age_confirmed=False)
    assert not Volunteer.objects.filter(user=user).exists()

    signup = signups.sign_up_with_account(user, shift, age_confirmed=True)
    assert signup.volunteer == Volunteer.objects.get(user=user)
    assert signup.volunteer.confirmed_age == 18


def test_the_gate_takes_the_sign_up_just_confirmed_without_reading_it_back(
    site_pages, django_assert_num_queries
):
    """The placement email asks the exact-address gate under the shift's lock: the sign-up it
    has just confirmed answers without a query; any other still asks the database."""
    from volunteers.access import exact_address

    home, _news = site_pages
    opportunity = add_opportunity(home)
    shift = add_shift(opportunity, capacity=1)
    confirmed = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True)
    waiting = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True)
    assert OutboundEmail.objects.get(about=str(confirmed.pk)).context["exact_address"] == (
        opportunity.exact_address
    )

    with django_assert_num_queries(0):
        assert exact_address(confirmed.volunteer, opportunity, confirmed)
    with django_assert_num_queries(1):
        assert exact_address(waiting.volunteer, opportunity, waiting) == ""
    # Another volunteer's confirmed sign-up proves nothing about this one.
    with django_assert_num_queries(1):
        assert exact_address(waiting.volunteer, opportunity, confirmed) == ""
