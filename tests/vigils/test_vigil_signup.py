"""Signing up for vigil slots: with an account at once, without one after an email link."""

import datetime
import re

import pytest
from django.core import mail

from core.signing import make_token
from tests.factories import UserFactory, add_vigil, guarded
from vigils.emails import confirm_path, manage_path
from vigils.models import SlotBooking, VigilSignup, VigilSlot
from vigils.slots import slot_key

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 2, 20, 12, tzinfo=UTC)
FIRST = datetime.datetime(2026, 3, 1, 20, tzinfo=UTC)
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def vigil(site_pages):
    home, _ = site_pages
    return add_vigil(home, capacity=1)  # 2026-03-01 20:00 to 03-02 08:00 UTC, hourly


def key(hours_after_first=0):
    return slot_key(FIRST + datetime.timedelta(hours=hours_after_first))


def post_signup(client, vigil, slots, **fields):
    data = {
        "slots": slots,
        "email": "ruth@example.org",
        "display_name": "Ruth",
        "time_zone": "Europe/Berlin",
        "tz": "Europe/Berlin",
        **fields,
    }
    return client.post(vigil.url + "signup/", guarded(data))


def taken(vigil):
    return dict(VigilSlot.objects.filter(vigil=vigil).values_list("starts_at", "taken"))


def link_in(message, part):
    return next(link for link in LINK.findall(message.body) if part in link)


def test_without_an_account_places_are_taken_when_the_email_link_is_followed(client, vigil):
    response = post_signup(client, vigil, [key(0), key(1)])

    assert response.status_code == 302 and response.url == "/pray/vigils/check-your-email/"
    assert sum(taken(vigil).values()) == 0, "nothing held for an unconfirmed address"
    signup = VigilSignup.objects.get()
    assert signup.status == VigilSignup.Status.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ruth@example.org"]
    assert "Sunday 1 March, 21:00–22:00 CET" in message.body  # 20:00 UTC in Berlin

    confirm = link_in(message, "/pray/vigils/confirm/")
    page = client.get(confirm)
    assert page.status_code == 200 and "Confirm my slots" in page.content.decode()
    assert sum(taken(vigil).values()) == 0, "a link scanner's GET takes nothing"

    response = client.post(confirm)
    assert response.status_code == 302
    assert taken(vigil)[FIRST] == 1 and taken(vigil)[FIRST + datetime.timedelta(hours=1)] == 1
    signup.refresh_from_db()
    assert signup.status == VigilSignup.Status.CONFIRMED
    assert signup.display_name == "Ruth" and signup.time_zone == "Europe/Berlin"

    booked = mail.outbox[-1]
    assert booked.subject == "You are signed up: Night of prayer"
    (name, content, mimetype) = booked.attachments[0]
    assert name == "prayer-vigil.ics" and mimetype == "text/calendar"
    ics = content.decode() if isinstance(content, bytes) else content
    assert ics.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20260301T200000Z" in ics
    assert "/pray/vigils/my-slots/" in booked.body

    manage = client.get(response.url)
    assert "You are signed up for 2 slots" in manage.content.decode()

    assert client.post(confirm).status_code == 200, "a second click changes nothing"
    assert sum(taken(vigil).values()) == 2
    assert len(mail.outbox) == 2


def test_a_verified_account_gets_its_slots_at_once(client, vigil):
    user = UserFactory(email="amos@example.org")
    client.force_login(user)

    response = post_signup(client, vigil, [key(2), key(3)], email="")

    assert response.status_code == 302 and "/pray/vigils/my-slots/" in response.url
    assert taken(vigil)[FIRST + datetime.timedelta(hours=2)] == 1
    signup = VigilSignup.objects.get()
    assert signup.email == "amos@example.org" and signup.user == user
    assert signup.status == VigilSignup.Status.CONFIRMED
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments


def test_an_unverified_account_still_confirms_by_email(client, vigil):
    client.force_login(UserFactory(email="new@example.org", verified=False))

    response = post_signup(client, vigil, [key(0)], email="new@example.org")

    assert response.url == "/pray/vigils/check-your-email/"
    assert sum(taken(vigil).values()) == 0


def test_several_slots_are_all_or_nothing_and_the_message_names_the_full_one(client, vigil):
    other = VigilSignup.objects.create(vigil=vigil, email="first@example.org", status="confirmed")
    full = VigilSlot.objects.get(vigil=vigil, starts_at=FIRST + datetime.timedelta(hours=1))
    SlotBooking.objects.create(signup=other, slot=full)
    VigilSlot.objects.filter(pk=full.pk).update(taken=1)
    client.force_login(UserFactory(email="amos@example.org"))

    response = post_signup(client, vigil, [key(0), key(1), key(2)], email="")

    assert response.status_code == 409
    html = response.content.decode()
    assert "none of your slots were taken" in html
    assert "already full: Sunday 1 March, 22:00–23:00 CET" in html
    assert taken(vigil)[FIRST] == 0 and taken(vigil)[FIRST + datetime.timedelta(hours=2)] == 0
    assert SlotBooking.objects.filter(signup__email="amos@example.org").count() == 0
    assert mail.outbox == []


def test_a_slot_that_filled_before_the_link_was_followed_is_named(client, vigil):
    post_signup(client, vigil, [key(0), key(4)])
    confirm = link_in(mail.outbox[0], "/pray/vigils/confirm/")
    rival = VigilSignup.objects.create(vigil=vigil, email="rival@example.org", status="confirmed")
    slot = VigilSlot.objects.get(vigil=vigil, starts_at=FIRST + datetime.timedelta(hours=4))
    SlotBooking.objects.create(signup=rival, slot=slot)
    VigilSlot.objects.filter(pk=slot.pk).update(taken=1)

    response = client.post(confirm)

    assert response.status_code == 409
    assert "already full: Monday 2 March, 01:00–02:00 CET" in response.content.decode()
    assert taken(vigil)[FIRST] == 0


def test_overlapping_selection_with_slots_already_held_is_refused(client, site_pages, vigil):
    home, _ = site_pages
    other = add_vigil(home, title="Second vigil", slot_minutes=30, capacity=None)
    client.force_login(UserFactory(email="amos@example.org"))
    assert post_signup(client, vigil, [key(0)], email="").status_code == 302

    response = post_signup(
        client, other, [slot_key(FIRST + datetime.timedelta(minutes=30))], email=""
    )

    assert response.status_code == 400
    assert "You already pray at an overlapping time" in response.content.decode()
    assert SlotBooking.objects.filter(slot__vigil=other).count() == 0


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([], "Choose at least one slot in the grid."),
        (["20260301T2000Z", "20260301T2000Z"], "The same slot was chosen twice"),
        (["20260305T2000Z"], "Not a slot of this vigil: 5 March 20:00 UTC"),
        (["20260301T2030Z"], "Not a slot of this vigil"),
        (["<script>alert(1)</script>"], "not a slot of this vigil"),
        (["x" * 10_000], "not a slot of this vigil"),
    ],
)
def test_bad_slot_choices_are_answered_clearly(client, vigil, slots, message):
    response = post_signup(client, vigil, slots)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert VigilSignup.objects.count() == 0 and mail.outbox == []


def test_slots_that_started_cannot_be_chosen(client, vigil, time_machine):
    time_machine.move_to(FIRST + datetime.timedelta(minutes=5), tick=False)
    response = post_signup(client, vigil, [key(0)])
    assert response.status_code == 400
    assert "already started or ended" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"display_name": "<b>Ruth</b>"}, "without &lt; or &gt; characters"),
        ({"display_name": "R" * 10_000}, "60 characters or fewer"),
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list."),
    ],
)
def test_bad_details_are_answered_clearly(client, vigil, fields, message):
    response = post_signup(client, vigil, [key(0)], **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert VigilSignup.objects.count() == 0


def test_bots_get_the_usual_answer_and_nothing_is_stored(client, vigil):
    response = post_signup(client, vigil, [key(0)], website="http://spam.example")
    assert response.status_code == 302
    assert VigilSignup.objects.count() == 0 and mail.outbox == []


def test_tampered_and_revoked_links_do_not_work(client, vigil):
    post_signup(client, vigil, [key(0)])
    signup = VigilSignup.objects.get()
    confirm = confirm_path(signup)

    assert client.get(confirm[:-3] + "abc/").status_code == 400
    forged = make_token("vigil-manage", signup.pk, signup.link_version)
    assert client.get(f"/pray/vigils/confirm/{forged}/").status_code == 400, "wrong purpose"
    VigilSignup.objects.filter(pk=signup.pk).update(link_version=1)
    assert client.post(confirm).status_code == 404
    assert sum(taken(vigil).values()) == 0


def test_the_signed_link_shows_and_cancels_slots(client, vigil):
    client.force_login(UserFactory(email="amos@example.org"))
    post_signup(client, vigil, [key(0), key(1)], email="")
    client.logout()
    signup = VigilSignup.objects.get()
    manage = manage_path(signup.pk, signup.link_version)

    html = client.get(manage).content.decode()
    assert "Sunday 1 March, 21:00–22:00 CET" in html and "(Sunday 1 March, 20:00–21:00 UTC)" in html

    response = client.post(manage, {"cancel": [key(0)]})
    assert response.status_code == 302
    assert taken(vigil)[FIRST] == 0 and taken(vigil)[FIRST + datetime.timedelta(hours=1)] == 1
    assert SlotBooking.objects.filter(signup=signup).count() == 1

    assert client.post(manage, {"cancel": ["bogus"]}).status_code == 400
    assert client.post(manage, {"cancel": [key(0)]}).status_code == 400, "not held any more"
    assert taken(vigil)[FIRST] == 0, "never below zero"


def test_a_strangers_name_waits_for_the_link_and_is_shown_before_it(client, vigil):
    """Nobody writes another person's vigil sign-up (issue 12, point 6)."""
    from django.test import Client

    from website.account.attach import attach_records

    post_signup(client, vigil, [key(0)], email="amos@example.org", display_name="Mallory")
    waiting = VigilSignup.objects.get()
    assert (waiting.display_name, waiting.status) == ("", VigilSignup.Status.PENDING)
    owner = UserFactory(email="amos@example.org")
    attach_records(owner)
    owner_browser = Client()
    owner_browser.force_login(owner)

    post_signup(owner_browser, vigil, [key(2)], email="", display_name="Amos")

    signup = VigilSignup.objects.get()
    assert (signup.user, signup.display_name) == (owner, "Amos")
    assert "Mallory" not in client.get(vigil.url).content.decode()
    stranger_link = link_in(mail.outbox[0], "/pray/vigils/confirm/")
    page = client.get(stranger_link).content.decode()
    assert "Mallory" in page, "the name the grid would show is on the page before the button"


def test_slots_chosen_day_by_day_before_the_link_is_followed_are_confirmed_together(client, vigil):
    """A long vigil is shown a day at a time: each day's sign-up adds to the one waiting."""
    assert post_signup(client, vigil, [key(0)]).status_code == 302
    assert post_signup(client, vigil, [key(5), key(0)], display_name="Ruth A.").status_code == 302

    signup = VigilSignup.objects.get()
    assert len(signup.pending_request["slots"]) == 2
    latest = mail.outbox[-1]
    assert "21:00–22:00 CET" in latest.body and "02:00–03:00 CET" in latest.body
    response = client.post(link_in(latest, "/pray/vigils/confirm/"))
    assert response.status_code == 302
    assert taken(vigil)[FIRST] == 1 and taken(vigil)[FIRST + datetime.timedelta(hours=5)] == 1
    signup.refresh_from_db()
    assert signup.display_name == "Ruth A."
