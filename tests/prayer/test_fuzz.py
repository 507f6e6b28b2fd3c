"""Fuzzing every public prayer form and signed link (inputs and checks: tests/fuzzing.py).

One world per test: a wall with requests, a vigil, a calendar, a digest issue, and two
people in each of them, the visitor (whose links the fuzzing may use) and a bystander
(whose rows must never change).
"""

import datetime
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from wagtail.admin.admin_url_finder import AdminURLFinder

from digests import links
from digests.models import DigestIssue, Subscription
from prayer.models import PrayerRequest
from tests.digests.subscription_helpers import make_subscription, signup_data
from tests.factories import UserFactory, add_prayer_calendar, add_vigil
from tests.fuzzing import (
    Bystander,
    assert_inert,
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
from tests.prayer.request_helpers import make_region, make_request, make_topic, make_wall
from vigils import calendar_emails as calendar_links
from vigils import emails as vigil_links
from vigils.models import CalendarSubscription, SlotBooking, VigilSignup, VigilSlot
from vigils.slots import book_slots, slot_key

pytestmark = pytest.mark.django_db

VISITOR = "visitor@example.org"
BYSTANDER = "bystander@example.org"
ZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/Argentina/ComodRivadavia", "Etc/GMT+12"]


@pytest.fixture
def visitor(monkeypatch, settings):
    with visiting(monkeypatch, settings) as visitor:
        yield visitor


@pytest.fixture
def world(site_pages):
    home, _news = site_pages
    today = timezone.localdate()
    topics = [make_topic("Children"), make_topic("Freedom")]
    region = make_region("Kolkata")
    wall = make_wall(home)
    on_wall = make_request("Pray for the new home", topics=topics[:1], regions=[region])
    theirs = make_request(
        "Pray for my sister",
        topics=topics,
        submitter_name="Bystander",
        submitter_email=BYSTANDER,
    )
    waiting = make_request("Not moderated yet", status=PrayerRequest.Status.SUBMITTED)

    vigil = add_vigil(
        home,
        start_date=today + datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=6),
        capacity=2,
    )
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at"))
    own_signup = VigilSignup.objects.create(
        vigil=vigil,
        email=VISITOR,
        status=VigilSignup.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        pending_request={"slots": [slots[2].starts_at.isoformat()], "time_zone": "UTC"},
    )
    their_signup = VigilSignup.objects.create(
        vigil=vigil,
        email=BYSTANDER,
        display_name="Bystander",
        status=VigilSignup.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    book_slots(own_signup, slots[:2])
    book_slots(their_signup, slots[:2])

    calendar = add_prayer_calendar(home, start_date=today - datetime.timedelta(days=1))
    now = timezone.now()
    own_calendar, their_calendar = (
        CalendarSubscription.objects.create(
            calendar=calendar, email=email, status="active", consent_at=now, confirmed_at=now
        )
        for email in (VISITOR, BYSTANDER)
    )
    issue = DigestIssue.objects.create(
        content_key="fuzz",
        subject="This week",
        body_text="Pray",
        body_html="<p>Pray</p>",
        browser_html="<p>Pray for the new home</p>",
        status="sent",
    )
    return SimpleNamespace(
        topics=topics,
        region=region,
        wall=wall,
        requests=[on_wall, theirs, waiting],
        vigil=vigil,
        slots=slots,
        calendar=calendar,
        issue=issue,
        own=make_subscription(VISITOR, topics=topics[:1]),
        theirs=make_subscription(BYSTANDER, topics=topics, name="Bystander"),
        own_signup=own_signup,
        their_signup=their_signup,
        own_calendar=own_calendar,
        their_calendar=their_calendar,
    )


@pytest.fixture
def bystander(world):
    """The bystander's rows. A sign-up with their address may leave choices pending (they
    apply only once the bystander follows the emailed link), and anyone may pray for their
    request: those columns change by design."""
    return Bystander(
        rows(
            Subscription.objects.filter(pk=world.theirs.pk),
            Subscription.topics.through.objects.filter(subscription=world.theirs),
            VigilSignup.objects.filter(pk=world.their_signup.pk),
            SlotBooking.objects.filter(signup=world.their_signup),
            CalendarSubscription.objects.filter(pk=world.their_calendar.pk),
            PrayerRequest.objects.filter(pk=world.requests[1].pk),
        ),
        ignore={"pending_changes", "pending_request", "prayed_count"},
    )


def preference_fields(world):
    return {
        "name": values(st.sampled_from(["Ruth", "प्रिया", "محمد", ""])),
        "topics": values(st.sampled_from([str(topic.pk) for topic in world.topics]), numberish),
        "frequency": choice("daily", "weekly", "monthly"),
        "weekday": choice(*range(7), ""),
        "time_zone": choice(*ZONES),
        "wants_restricted": checkbox(),
    }


# ---------------------------------------------------------------------------
# Subscriptions


def test_subscribe_form(world, bystander, visitor):
    spec = {"email": email_addresses(VISITOR, BYSTANDER), **preference_fields(world)}

    @given(body=bodies(spec, guarded=True), extra=headers, method=methods)
    def send(body, extra, method):
        visitor.send(method, "/pray/subscribe/", body=body, headers=extra)
        settle(bystander)

    send()
    assert not stored_markup(Subscription.objects.all()), "names are plain text"


def test_subscription_confirm_link(world, bystander, visitor):
    tokens = signed_links(
        links.CONFIRM_PURPOSE, world.own.pk, world.own.link_version, bystander_id=world.theirs.pk
    )

    @given(token=tokens, method=methods, body=bodies({"action": hostile_text}))
    def send(token, method, body):
        visitor.send(method, f"/pray/confirm/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


def test_subscription_preferences_link(world, bystander, visitor):
    tokens = signed_links(
        links.PREFERENCES_PURPOSE,
        world.own.pk,
        world.own.link_version,
        bystander_id=world.theirs.pk,
    )
    spec = {"action": choice("save", "pause", "resume", "unsubscribe"), **preference_fields(world)}

    @given(token=tokens, method=methods, body=bodies(spec))
    def send(token, method, body):
        visitor.send(method, f"/pray/preferences/{path_segment(token)}/", body=body)
        settle(bystander)

    send()
    assert not stored_markup(Subscription.objects.all()), "names are plain text"


def test_subscription_unsubscribe_link(world, bystander, visitor):
    tokens = signed_links(
        links.UNSUBSCRIBE_PURPOSE,
        world.own.pk,
        world.own.link_version,
        bystander_id=world.theirs.pk,
    )

    @given(token=tokens, method=methods, body=bodies({"List-Unsubscribe": hostile_text}))
    def send(token, method, body):
        visitor.send(method, f"/pray/unsubscribe/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


# ---------------------------------------------------------------------------
# Prayer requests and the wall


def test_prayer_request_form(world, bystander, visitor):
    spec = {
        "text": values(st.sampled_from(["Please pray for my mother's health.", "🙏"])),
        "title": values(st.sampled_from(["Healing", ""])),
        "topic": choice(*(topic.slug for topic in world.topics), ""),
        "wants_reply": checkbox(),
        "name": values(st.sampled_from(["Ruth", "李", ""])),
        "email": email_addresses(VISITOR, BYSTANDER),
        "consent_to_publish": checkbox(),
    }

    @given(body=bodies(spec, guarded=True), extra=headers, method=methods)
    def send(body, extra, method):
        visitor.send(method, "/pray/request/", body=body, headers=extra)
        settle(bystander)

    send()
    assert_requests_show_markup_as_text(world.wall)


def test_prayed_button(world, bystander, visitor):
    wall_url = world.wall.url
    known = [str(request.pk) for request in world.requests]
    pks = weighted((3, st.sampled_from(known)), (1, st.integers(0, 10**25).map(str)))
    spec = {
        "next": values(
            st.sampled_from(
                [wall_url, f"{wall_url}?topic=children", "/", "//evil.example/", "https:evil"]
            )
        )
    }

    @given(pk=pks, method=methods, body=bodies(spec), extra=headers)
    def send(pk, method, body, extra):
        visitor.send(method, f"{wall_url}{pk}/prayed/", body=body, headers=extra)
        settle(bystander)

    send()


def test_public_prayer_pages_with_hostile_parameters(world, bystander, visitor):
    """The wall's filters and pages, feeds, permalinks, calendar days, the digest's browser
    view and the vigil's time zone: everything public that reads the URL."""
    wall, calendar, vigil = world.wall.url, world.calendar.url, world.vigil.url
    slugs = weighted((2, st.sampled_from([t.slug for t in world.topics])), (1, hostile_text))
    numbers = weighted((2, st.sampled_from(["1", "2", "3"])), (1, numberish))
    filters = {
        "topic": slugs,
        "region": values(st.just(world.region.slug)),
        "page": numberish,
        "tz": choice(*ZONES),
    }
    pages = weighted(
        (4, st.just(wall)),
        (1, slugs.map(lambda slug: f"{wall}topics/{path_segment(slug)}/feed/")),
        (1, st.just(f"{wall}feed/")),
        (1, numbers.map(lambda pk: f"{wall}{path_segment(pk)}/")),
        (1, numbers.map(lambda day: f"{calendar}day/{path_segment(day)}/")),
        (1, st.sampled_from([f"{calendar}feed/", f"{calendar}ics/", calendar])),
        (1, numbers.map(lambda pk: f"/pray/digests/{path_segment(pk)}/")),
        (2, st.sampled_from([vigil, f"{vigil}pulse/", f"{vigil}signup/"])),
    )

    @given(path=pages, query=query_strings(filters), extra=headers)
    def send(path, query, extra):
        visitor.send("GET", path, query=query, headers=extra)
        settle(bystander)

    send()


# ---------------------------------------------------------------------------
# Vigils


def test_vigil_signup_form(world, bystander, visitor):
    keys = [slot_key(slot.starts_at) for slot in world.slots]
    spec = {
        "slots": values(st.sampled_from(keys), st.just("20260101T0000Z")),
        "email": email_addresses(VISITOR, BYSTANDER),
        "display_name": values(st.sampled_from(["Ruth", "someone", "ليلى", ""])),
        "time_zone": choice(*ZONES),
        "tz": choice(*ZONES),
    }

    @given(body=bodies(spec, guarded=True), method=methods, extra=headers)
    def send(body, method, extra):
        visitor.send(method, f"{world.vigil.url}signup/", body=body, headers=extra)
        settle(bystander)

    send()
    assert not stored_markup(VigilSignup.objects.all()), "names in the grid are plain text"


def vigil_link_test(world, bystander, visitor, purpose, route, spec, query=None):
    own = world.own_signup
    tokens = signed_links(purpose, own.pk, own.link_version, bystander_id=world.their_signup.pk)
    queries = query_strings(query or {})

    @given(token=tokens, method=methods, body=bodies(spec), query=queries)
    def send(token, method, body, query):
        visitor.send(method, f"/pray/vigils/{route}/{path_segment(token)}/", query, body)
        settle(bystander)

    send()


def test_vigil_confirm_link(world, bystander, visitor):
    vigil_link_test(world, bystander, visitor, vigil_links.CONFIRM_PURPOSE, "confirm", {})


def test_vigil_manage_link(world, bystander, visitor):
    keys = [slot_key(slot.starts_at) for slot in world.slots[:3]]
    spec = {"cancel": values(st.sampled_from(keys))}
    counts = {"booked": numberish, "cancelled": numberish}
    vigil_link_test(world, bystander, visitor, vigil_links.MANAGE_PURPOSE, "my-slots", spec, counts)


def test_vigil_unsubscribe_link(world, bystander, visitor):
    vigil_link_test(world, bystander, visitor, vigil_links.UNSUBSCRIBE_PURPOSE, "unsubscribe", {})


# ---------------------------------------------------------------------------
# Prayer calendars


def test_calendar_subscribe_form(world, bystander, visitor):
    spec = {
        "email": email_addresses(VISITOR, BYSTANDER),
        "hour": values(st.integers(0, 23).map(str), numberish),
        "time_zone": choice(*ZONES),
    }

    @given(body=bodies(spec, guarded=True), method=methods, extra=headers)
    def send(body, method, extra):
        visitor.send(method, f"{world.calendar.url}subscribe/", body=body, headers=extra)
        settle(bystander)

    send()


def calendar_link_test(world, bystander, visitor, purpose, route):
    own = world.own_calendar
    tokens = signed_links(purpose, own.pk, own.link_version, bystander_id=world.their_calendar.pk)
    choices = query_strings({"hour": values(numberish), "tz": choice(*ZONES)})

    @given(token=tokens, method=methods, query=choices, body=bodies({"hour": numberish}))
    def send(token, method, query, body):
        visitor.send(method, f"/pray/calendars/{route}/{path_segment(token)}/", query, body)
        settle(bystander)

    send()


def test_calendar_confirm_link(world, bystander, visitor):
    calendar_link_test(world, bystander, visitor, calendar_links.CONFIRM_PURPOSE, "confirm")


def test_calendar_unsubscribe_link(world, bystander, visitor):
    calendar_link_test(world, bystander, visitor, calendar_links.UNSUBSCRIBE_PURPOSE, "unsubscribe")


# ---------------------------------------------------------------------------
# Stored markup shows as text wherever it is shown


def assert_requests_show_markup_as_text(wall):
    """Prayer requests are the one place `<` is kept: once approved, the markup stored by the
    fuzzing shows as text on the wall, in its feed, on permalinks and in the back office."""
    stored = stored_markup(PrayerRequest.objects.all())
    PrayerRequest.objects.filter(pk__in=[row.pk for row in stored]).update(
        status=PrayerRequest.Status.APPROVED, approved_at=timezone.now()
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin, public = Client(), Client()
    admin.force_login(staff)
    finder = AdminURLFinder(staff)
    pages = [(public, wall.url), (public, f"{wall.url}feed/")]
    pages += [(public, f"{wall.url}{row.pk}/") for row in stored[:20]]
    pages += [(admin, reverse("wagtailsnippets_prayer_prayerrequest:list"))]
    pages += [(admin, finder.get_edit_url(row)) for row in stored[:20]]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response, response.content)


# ---------------------------------------------------------------------------
# Found by fuzzing


def test_a_topic_id_past_the_integer_range_is_refused_not_a_crash(client, world):
    response = client.post(
        "/pray/subscribe/", signup_data(email="new@example.org", topics=["9" * 25])
    )
    assert response.status_code == 400
    assert "Choose topics from the list." in response.content.decode()


def test_digits_of_other_scripts_in_the_vigil_page_counts_are_ignored(client, world):
    path = vigil_links.manage_path(world.own_signup.pk, world.own_signup.link_version)
    for count in ("²", "٣", "１"):
        assert client.get(path, {"booked": count, "cancelled": count}).status_code == 200


def test_the_wall_feed_escapes_request_text_readers_show_as_html(client, world):
    make_request("Markup", public_text="<script>alert(1)</script> & <b>bold</b>")
    descriptions = [
        item.findtext("description")
        for item in ET.fromstring(client.get(f"{world.wall.url}feed/").content).iter("item")
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in descriptions


def test_an_address_no_mail_header_can_carry_gets_no_email_and_no_error(client, world):
    response = client.post("/pray/subscribe/", signup_data(email="ruth@ex\ufffdmple.org"))
    assert response.status_code == 302
    assert Subscription.objects.filter(email="ruth@ex\ufffdmple.org").exists()
    assert mail.outbox == []
