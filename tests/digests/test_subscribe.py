"""A supporter signs up for prayer updates: double opt-in, duplicates, bad input, abuse."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from core.confirmation import purge_unconfirmed
from core.models import Suppression
from digests.links import confirm_url, preferences_url
from digests.models import Subscription
from prayer.models import Topic
from tests.digests.subscription_helpers import (
    html_of,
    link_from_last_email,
    make_subscription,
    make_topic,
    signup_data,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/pray/subscribe/"
CHECK_EMAIL = "/pray/subscribe/check-your-email/"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday


@pytest.fixture
def topics(site_pages):
    return make_topic("Children at risk"), make_topic("Vocational training")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def test_the_form_is_labelled_and_works_without_javascript(client, topics):
    response = client.get(SUBSCRIBE)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    for field in ("email", "name", "weekday", "time_zone"):
        assert f'for="id_{field}"' in html
    assert "<legend>Topics" in html and "Vocational training" in html
    assert '<option value="UTC" selected>' in html
    assert '<option value="Asia/Kolkata">' in html
    assert "data-detect-time-zone" in html
    assert "/static/js/timezone.js" in html
    assert "<script>" not in html and "style=" not in html
    assert "verified" in html, "restricted items must say they need staff verification"


def test_subscribe_then_confirm_from_the_email(client, topics, clock):
    children, _ = topics
    response = client.post(
        SUBSCRIBE,
        signup_data(email="  Ruth@Example.ORG ", name="Руфь", topics=[children.pk]),
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    assert response["Location"] == CHECK_EMAIL
    assert "Check your email" in client.get(CHECK_EMAIL).content.decode()
    subscription = Subscription.objects.get()
    assert subscription.email == "ruth@example.org"
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.consent_at == NOW
    assert subscription.consent_source == SUBSCRIBE
    assert subscription.consent_ip == "203.0.113.9"
    assert (subscription.name, subscription.topics.count()) == ("", 0), "waiting for the link"
    assert subscription.pending_changes["name"] == "Руфь"
    assert subscription.next_digest_at is None

    assert len(mail.outbox) == 1, "the confirmation is the only email"
    message = mail.outbox[0]
    assert message.to == ["ruth@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "List-Unsubscribe" not in message.extra_headers, "a confirmation is not bulk mail"
    assert message.subject.startswith("Confirm your prayer updates")
    assert "Руфь" in message.body and "Children at risk" in message.body
    assert "Weekly, on Wednesday" in message.body and "Europe/Berlin" in message.body
    html = html_of(message)
    assert "Children at risk" in html and 'name="viewport"' in html
    assert "/pray/preferences/" not in message.body, "no preference link before confirming"

    link = link_from_last_email("/pray/confirm/")
    path = link.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING, (
        "a GET (link scanner) confirms nothing"
    )

    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "Your subscription is confirmed" in confirmed.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.confirmed_at == NOW
    assert subscription.name == "Руфь" and subscription.pending_changes is None
    assert list(subscription.topics.all()) == [children]
    # Wednesday 4 March, 07:00 in Berlin (UTC+1) is 06:00 UTC.
    assert subscription.next_digest_at == datetime.datetime(2026, 3, 4, 6, 0, tzinfo=datetime.UTC)
    assert len(mail.outbox) == 1, "confirming sends nothing more"

    again = client.get(path)
    assert "There is nothing more to do" in again.content.decode()


def test_no_topics_means_all_and_monthly_needs_no_weekday(client, topics, clock):
    response = client.post(
        SUBSCRIBE, signup_data(frequency="monthly", weekday="", time_zone="Asia/Kolkata")
    )

    assert response.status_code == 302
    assert "all topics" in mail.outbox[0].body
    client.post(link_from_last_email("/pray/confirm/").removeprefix("http://testserver"))
    subscription = Subscription.objects.get()
    assert subscription.topics.count() == 0
    assert subscription.frequency == "monthly"


def test_asking_for_restricted_items_is_recorded_but_not_granted(client, topics, clock):
    client.post(SUBSCRIBE, signup_data(wants_restricted="on"))
    assert Subscription.objects.get().wants_restricted is False, "not before the link"
    client.post(link_from_last_email("/pray/confirm/").removeprefix("http://testserver"))

    subscription = Subscription.objects.get()
    assert subscription.wants_restricted is True
    assert subscription.restricted_verified is False
    assert subscription.receives_restricted is False
    assert "once our staff have verified you" in mail.outbox[0].body


def test_a_second_signup_changes_nothing_until_confirmed(client, topics, clock):
    children, training = topics
    existing = make_subscription(frequency="weekly", weekday=0, topics=[children])

    response = client.post(
        SUBSCRIBE,
        signup_data(email="RUTH@example.org", frequency="daily", topics=[training.pk]),
    )

    assert response.status_code == 302 and response["Location"] == CHECK_EMAIL
    assert Subscription.objects.count() == 1
    existing.refresh_from_db()
    assert existing.frequency == "weekly"
    assert list(existing.topics.all()) == [children]
    assert existing.pending_changes["frequency"] == "daily"
    assert existing.status == Subscription.Status.ACTIVE

    message = mail.outbox[-1]
    assert message.subject.startswith("Confirm the changes")
    assert "Vocational training" in message.body
    assert preferences_url(existing.pk, existing.link_version) in message.body

    link = link_from_last_email("/pray/confirm/")
    client.post(link.removeprefix("http://testserver"))
    existing.refresh_from_db()
    assert Subscription.objects.count() == 1
    assert existing.frequency == "daily"
    assert list(existing.topics.all()) == [training]
    assert existing.pending_changes is None


def test_an_unsubscribed_supporter_can_come_back_through_a_new_confirmation(client, topics, clock):
    gone = make_subscription(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=NOW)

    client.post(SUBSCRIBE, signup_data())
    gone.refresh_from_db()
    assert gone.status == Subscription.Status.UNSUBSCRIBED

    client.post(link_from_last_email("/pray/confirm/").removeprefix("http://testserver"))
    gone.refresh_from_db()
    assert gone.status == Subscription.Status.ACTIVE
    assert gone.unsubscribed_at is None
    assert gone.next_digest_at is not None


def test_the_answer_does_not_reveal_who_is_subscribed(client, topics):
    make_subscription(email="known@example.org")

    known = client.post(SUBSCRIBE, signup_data(email="known@example.org"))
    unknown = client.post(SUBSCRIBE, signup_data(email="new@example.org"))

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_signing_up_again_while_pending_restarts_the_seven_days(client, topics, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.post(SUBSCRIBE, signup_data())
    time_machine.move_to(NOW + datetime.timedelta(days=5), tick=False)
    client.post(SUBSCRIBE, signup_data(frequency="daily"))

    time_machine.move_to(NOW + datetime.timedelta(days=8), tick=False)
    assert purge_unconfirmed() == 0
    assert Subscription.objects.get().consent_at == NOW + datetime.timedelta(days=5)
    link = link_from_last_email("/pray/confirm/")
    client.post(link.removeprefix("http://testserver"))
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.frequency == "daily"


def test_a_confirmation_link_expires_after_seven_days(client, topics, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.post(SUBSCRIBE, signup_data())
    path = link_from_last_email("/pray/confirm/").removeprefix("http://testserver")

    time_machine.move_to(NOW + datetime.timedelta(days=7, minutes=1), tick=False)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert "expired" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.Status.PENDING


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(":", "x", 1),
        lambda token: "x" * 10_000,
        lambda token: "not-a-token",
    ],
    ids=["tampered-signature", "tampered-payload", "oversized", "garbage"],
)
def test_tampered_links_get_a_friendly_page(client, topics, mangle):
    subscription = make_subscription(status=Subscription.Status.PENDING)
    token = confirm_url(subscription.pk, 0).rstrip("/").rsplit("/", 1)[1]

    for method in (client.get, client.post):
        response = method(reverse("digests:subscription-confirm", args=[mangle(token)]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING


def test_a_link_for_another_purpose_or_a_revoked_link_does_not_confirm(client, topics):
    subscription = make_subscription(status=Subscription.Status.PENDING)
    preferences_token = preferences_url(subscription.pk, 0).rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/pray/confirm/{preferences_token}/").status_code == 400

    old = confirm_url(subscription.pk, 0).removeprefix("http://testserver")
    Subscription.objects.filter(pk=subscription.pk).update(link_version=1)
    assert client.post(old).status_code == 404
    gone_id = subscription.pk
    subscription.delete()
    assert client.get(confirm_url(gone_id, 1).removeprefix("http://testserver")).status_code == 404


def test_unconfirmed_signups_are_purged_after_seven_days(client, topics, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.post(SUBSCRIBE, signup_data(email="never@example.org"))
    make_subscription(email="active@example.org")
    time_machine.move_to(NOW + datetime.timedelta(days=2), tick=False)
    client.post(SUBSCRIBE, signup_data(email="recent@example.org"))

    time_machine.move_to(NOW + datetime.timedelta(days=7, hours=1), tick=False)
    assert purge_unconfirmed() == 1
    assert purge_unconfirmed() == 0, "running twice deletes nothing more"
    assert set(Subscription.objects.values_list("email", flat=True)) == {
        "active@example.org",
        "recent@example.org",
    }


SCRIPT = "<script>alert('x')</script>"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "a" * 10_000 + "@example.org"}, "email", "at most 254 characters"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"email": f"{SCRIPT}@example.org"}, "email", "Enter a valid email address"),
        ({"email": "x@example.org' OR 1=1 --"}, "email", "Enter a valid email address"),
        ({"name": SCRIPT}, "name", "without &lt; or &gt;"),
        ({"name": "N" * 10_000}, "name", "at most 100 characters"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone from the list."),
        ({"time_zone": "a" * 10_000}, "time_zone", "Choose a time zone from the list."),
        ({"topics": ["99999"]}, "topics", "Choose topics from the list."),
        ({"topics": ["1 OR 1=1"]}, "topics", "Choose topics from the list."),
        ({"frequency": "hourly"}, "frequency", "Choose daily, weekly or monthly."),
        ({"frequency": ""}, "frequency", "This field is required."),
        ({"weekday": ""}, "weekday", "Choose the day your weekly update should arrive."),
        ({"weekday": "9"}, "weekday", "Choose a day of the week."),
    ],
    ids=lambda value: str(value)[:30] if not isinstance(value, dict) else None,
)
def test_bad_input_is_answered_clearly_and_nothing_is_stored(
    client, topics, overrides, field, message
):
    response = client.post(SUBSCRIBE, signup_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}_error"' in html or f"{field}_error" in html
    assert "Please correct the fields marked below." in html
    assert SCRIPT not in html, "hostile text is never echoed unescaped"
    assert Subscription.objects.count() == 0
    assert mail.outbox == []


def test_an_empty_post_is_answered_not_crashed(client, topics):
    response = client.post(SUBSCRIBE, {})
    assert response.status_code == 400
    assert "Enter your email address." in response.content.decode()
    assert Subscription.objects.count() == 0


def test_the_honeypot_catches_bots_silently(client, topics):
    response = client.post(SUBSCRIBE, signup_data(website="http://spam.example"))

    assert response.status_code == 302 and response["Location"] == CHECK_EMAIL
    assert Subscription.objects.count() == 0
    assert mail.outbox == []


def test_a_hundred_supporters_on_one_church_wifi_all_get_their_confirmation(client, topics, clock):
    """Asked from the pulpit, a congregation subscribes within ten minutes on one Wi-Fi."""
    for number in range(100):
        clock.shift(datetime.timedelta(seconds=5))
        response = client.post(
            SUBSCRIBE, signup_data(email=f"p{number}@example.org"), REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 302, number
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"p{number}@example.org" for number in range(100)
    )
    assert Subscription.objects.count() == 100


def test_a_flood_from_one_connection_is_stopped_and_the_form_kept(client, topics, clock):
    limit, _window = settings.RATE_LIMITS["prayer-subscribe"]["ip"]
    for number in range(limit):
        response = client.post(
            SUBSCRIBE, signup_data(email=f"p{number}@example.org"), REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 302, number

    blocked = client.post(
        SUBSCRIBE,
        signup_data(email="late@example.org", name="Late Comer"),
        REMOTE_ADDR="198.51.100.7",
    )
    html = blocked.content.decode()
    assert blocked.status_code == 429
    assert "from this connection" in html
    assert 'value="late@example.org"' in html and 'value="Late Comer"' in html
    assert not Subscription.objects.filter(email="late@example.org").exists()
    assert len(mail.outbox) == limit
    other = client.post(
        SUBSCRIBE, signup_data(email="late@example.org"), REMOTE_ADDR="198.51.100.8"
    )
    assert other.status_code == 302


def test_too_many_signups_for_one_email_get_429(client, topics):
    limit, _window = settings.RATE_LIMITS["prayer-subscribe"]["email"]
    for number in range(limit):
        response = client.post(SUBSCRIBE, signup_data(), REMOTE_ADDR=f"192.0.2.{number}")
        assert response.status_code == 302
    assert len(mail.outbox) == limit

    blocked = client.post(SUBSCRIBE, signup_data(name="Ruth again"), REMOTE_ADDR="192.0.2.99")
    assert blocked.status_code == 429
    assert "for this email address" in blocked.content.decode()
    assert 'value="Ruth again"' in blocked.content.decode()
    assert len(mail.outbox) == limit, "no more emails to the same inbox"


def test_a_suppressed_address_gets_no_confirmation(client, topics):
    Suppression.objects.create(email="bounced@example.org", active=True, reason="hard_bounce")

    response = client.post(SUBSCRIBE, signup_data(email="bounced@example.org"))

    assert response.status_code == 302 and response["Location"] == CHECK_EMAIL
    assert mail.outbox == []


def test_every_listed_time_zone_is_a_real_one(client, topics):
    html = client.get(SUBSCRIBE).content.decode()
    assert html.count("<option value=") >= len(zoneinfo.available_timezones())


def test_names_with_apostrophes_and_ampersands_read_naturally(client, topics):
    make_topic("Women & girls")
    client.post(
        SUBSCRIBE,
        signup_data(name="Ruth O'Brien", topics=[Topic.objects.get(name="Women & girls").pk]),
    )

    message = mail.outbox[0]
    assert "Dear Ruth O'Brien," in message.body
    assert "Women & girls" in message.body
    assert "Ruth O&#x27;Brien" in html_of(message) and "Women &amp; girls" in html_of(message)


def test_a_signed_in_supporter_finds_their_address_filled_in(client, topics):
    client.force_login(UserFactory(email="member@example.org"))

    html = client.get(SUBSCRIBE).content.decode()

    assert 'value="member@example.org"' in html


def test_a_form_sent_faster_than_a_person_could_comes_back_with_the_answers(
    client, topics, settings
):
    settings.PUBLIC_FORM_MIN_FILL_SECONDS = 3

    response = client.post(SUBSCRIBE, signup_data(email="quick@example.org"))

    assert response.status_code == 400
    assert "quicker than we expected" in response.content.decode()
    assert 'value="quick@example.org"' in response.content.decode()
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_a_stranger_typing_an_address_leaves_nothing_of_theirs_on_it(client, topics, clock):
    """Nobody writes another person's subscription (issue 12, point 6): until the link is
    followed, staff, the owner's account and its data see none of what a stranger typed."""
    from core.privacy import export_everywhere, sections_everywhere
    from website.account.attach import attach_records

    children, _ = topics
    client.post(
        SUBSCRIBE,
        signup_data(name="Mallory Stranger", topics=[children.pk], wants_restricted="on"),
    )
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    staff_browser = client.__class__()
    staff_browser.force_login(staff)
    seen = [
        staff_browser.get("/admin/prayer/subscriptions/").content,
        b"".join(staff_browser.get("/admin/prayer/subscriptions/?export=csv")),
        staff_browser.get("/admin/prayer/subscriptions/?wants_restricted=true").content,
    ]
    assert all(b"Mallory" not in body for body in seen)
    assert b"ruth@example.org" not in seen[2], "not offered to staff for restricted items"

    owner = UserFactory(email="ruth@example.org", first_name="Ruth")
    attach_records(owner)
    subscription = Subscription.objects.get()
    assert subscription.user == owner
    assert (subscription.name, subscription.wants_restricted) == ("", False)
    assert subscription.topics.count() == 0
    (updates, *_rest) = sections_everywhere(["ruth@example.org"], None)
    assert updates.items[0].details == [], "no choices shown as the owner's"
    (record,) = export_everywhere(["ruth@example.org"])["prayer_updates"]
    assert record["name"] == ""
    assert record["changes_waiting_for_confirmation"]["name"] == "Mallory Stranger"

    client.post(link_from_last_email("/pray/confirm/").removeprefix("http://testserver"))
    subscription.refresh_from_db()
    assert subscription.name == "Mallory Stranger", "whoever follows the link made them theirs"
    assert subscription.wants_restricted is True
