"""Fuzzing the volunteer sign-up and every volunteer link (inputs and checks: tests/fuzzing.py).

The visitor has a confirmed sign-up and one waiting for its emailed link, and sometimes an
account; the bystander is confirmed on the same shift and cleared, and must stay as they are.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import UserFactory, add_check, add_opportunity, add_shift, add_volunteer
from tests.fuzzing import (
    Bystander,
    bodies,
    checkbox,
    choice,
    email_addresses,
    headers,
    hostile_text,
    methods,
    numberish,
    path_segment,
    query_strings,
    rows,
    settle,
    signed_links,
    stored_markup,
    values,
    visiting,
    weighted,
)
from volunteers import links, signups
from volunteers.models import SafeguardingCheck, SignUp, Skill, Volunteer

pytestmark = pytest.mark.django_db

VISITOR = "visitor@example.org"
BYSTANDER = "bystander@example.org"


@pytest.fixture
def visitor(monkeypatch, settings):
    with visiting(monkeypatch, settings) as visitor:
        yield visitor


@pytest.fixture
def world(site_pages):
    home, _news = site_pages
    Skill.objects.create(name="Teaching", slug="teaching")
    opportunity = add_opportunity(home, minimum_age=16)
    shift, later = add_shift(opportunity, capacity=3), add_shift(opportunity, capacity=1)
    later.starts_at += datetime.timedelta(days=2)
    later.ends_at += datetime.timedelta(days=2)
    later.save()
    user, their_user = UserFactory(email=VISITOR), UserFactory(email=BYSTANDER)
    own = add_volunteer(VISITOR, name="Visitor", user=user)
    theirs = add_volunteer(BYSTANDER, name="Bystander", phone="+919812345678", user=their_user)
    add_check(theirs)
    own_signup = signups.sign_up_with_account(user, shift)
    waiting = signups.request_signup(own, later)
    their_signup = signups.sign_up_with_account(their_user, shift)
    mail.outbox.clear()
    return SimpleNamespace(
        opportunity=opportunity,
        shifts=[shift, later],
        user=user,
        own=Volunteer.objects.get(pk=own.pk),
        theirs=Volunteer.objects.get(pk=theirs.pk),
        signups=[own_signup, waiting, their_signup],
    )


@pytest.fixture
def bystander(world):
    """Anyone may type the bystander's address into the form: that leaves a sign-up waiting
    for the link emailed to them, and nothing else of theirs may change."""
    return Bystander(
        rows(
            Volunteer.objects.filter(pk=world.theirs.pk),
            SignUp.objects.filter(volunteer=world.theirs).exclude(
                status=SignUp.Status.PENDING_EMAIL
            ),
            SafeguardingCheck.objects.filter(volunteer=world.theirs),
        )
    )


def ids(*known):
    """Ids in a URL or a form: known ones, other numbers, and numbers that are not."""
    return weighted(
        (3, st.sampled_from([str(pk) for pk in known])),
        (1, st.integers(0, 10**25).map(str)),
        (1, numberish),
    )


def test_sign_up_form(world, bystander, visitor):
    """Anonymous visitors fill in the form; signed-in ones sign up in one click."""
    signed_in = visitor.signed_in_as(world.user)
    shift_ids = ids(*(shift.pk for shift in world.shifts))
    spec = {
        "name": values(st.sampled_from(["Priya D'Souza", "प्रिया", "Zoë O’Brien"])),
        "email": email_addresses(VISITOR, BYSTANDER),
        "phone": values(st.sampled_from(["+91 98765 43210", "0044 20 7946 0958", "+1 415"])),
        "age_confirmed": checkbox(),
        "code_of_conduct": checkbox(),
    }

    @given(
        who=st.sampled_from([visitor, visitor, signed_in]),
        shift=shift_ids,
        method=methods,
        body=bodies(spec, guarded=True),
        extra=headers,
    )
    def send(who, shift, method, body, extra):
        path = f"/volunteer/shifts/{path_segment(shift)}/sign-up/"
        who.send(method, path, body=body, headers=extra)
        settle(bystander)

    send()
    # Typed names and phones wait on the sign-up until its link is followed.
    stored = stored_markup(Volunteer.objects.all(), SignUp.objects.all())
    assert not stored, "names and phones are plain text"


def test_confirm_link(world, bystander, visitor):
    waiting = world.signups[1]
    tokens = signed_links(
        links.CONFIRM_PURPOSE,
        waiting.pk,
        world.own.link_version,
        bystander_id=world.signups[2].pk,
    )

    @given(token=tokens, method=methods, body=bodies({"action": hostile_text}))
    def send(token, method, body):
        visitor.send(method, f"/volunteer/confirm/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


def own_links(world, purpose, version_field="link_version"):
    return signed_links(
        purpose,
        world.own.pk,
        getattr(world.own, version_field),
        bystander_id=world.theirs.pk,
    )


def test_manage_link(world, bystander, visitor):
    signup_ids = ids(*(signup.pk for signup in world.signups))
    spec = {"action": choice("cancel", "new-feed", ""), "signup": values(signup_ids)}

    @given(
        token=own_links(world, links.MANAGE_PURPOSE),
        method=methods,
        body=bodies(spec),
        query=query_strings({"signed-up": signup_ids}),
    )
    def send(token, method, body, query):
        visitor.send(method, f"/volunteer/my/{path_segment(token)}/", query, body)
        settle(bystander)

    send()


def test_sign_up_calendar_file_link(world, bystander, visitor):
    signup_ids = ids(*(signup.pk for signup in world.signups))

    @given(token=own_links(world, links.MANAGE_PURPOSE), signup=signup_ids, method=methods)
    def send(token, signup, method):
        path = f"/volunteer/my/{path_segment(token)}/shifts/{path_segment(signup)}.ics"
        visitor.send(method, path)
        settle(bystander)

    send()


def test_calendar_feed_link(world, bystander, visitor):
    @given(token=own_links(world, links.FEED_PURPOSE, "feed_version"), method=methods)
    def send(token, method):
        visitor.send(method, f"/volunteer/feed/{path_segment(token)}/calendar.ics")
        settle(bystander)

    send()


def test_keep_details_link(world, bystander, visitor):
    @given(token=own_links(world, links.KEEP_PURPOSE), method=methods, body=bodies({}))
    def send(token, method, body):
        visitor.send(method, f"/volunteer/keep/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


def test_public_volunteer_pages_with_hostile_parameters(world, bystander, visitor):
    """The opportunity list's filters, the opportunity page, and each shift's public ICS."""
    index, page = world.opportunity.get_parent().url, world.opportunity.url
    shift_ids = ids(*(shift.pk for shift in world.shifts))
    days = weighted(
        (2, st.dates().map(datetime.date.isoformat)),
        (1, st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01"])),
        (1, hostile_text),
    )
    filters = {
        "centre": values(st.just("hope-centre")),
        "skill": values(st.just("teaching")),
        "date": days,
        "open": choice("1", "0"),
    }
    pages = weighted(
        (4, st.just(index)),
        (1, st.just(page)),
        (2, shift_ids.map(lambda pk: f"/volunteer/shifts/{path_segment(pk)}/calendar.ics")),
        (1, st.just("/volunteer/my/")),
    )

    @given(path=pages, query=query_strings(filters), extra=headers)
    def send(path, query, extra):
        visitor.send("GET", path, query=query, headers=extra)
        settle(bystander)

    send()


# ---------------------------------------------------------------------------
# Found by fuzzing


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_at_the_end_of_the_calendar_is_left_out_not_a_crash(client, world, day):
    index = world.opportunity.get_parent()
    response = client.get(index.url, {"date": day})
    assert response.status_code == 200
    assert f"“{day}” is not a date we can list" in response.content.decode()


def test_digits_of_other_scripts_name_no_sign_up(client, world):
    manage = links.manage_path(world.own)
    response = client.post(manage, {"action": "cancel", "signup": "²"})
    assert response.status_code == 404
