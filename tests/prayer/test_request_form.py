"""The public prayer request form, the acknowledgement and the moderators' batched email."""

import logging

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from prayer.models import PrayerRequest
from prayer.tasks import notify_moderators
from tests.factories import UserFactory, guarded
from tests.prayer.request_helpers import make_request, make_topic

pytestmark = pytest.mark.django_db

URL = "/pray/request/"


@pytest.fixture
def topic():
    return make_topic("Children")


def valid(**overrides):
    data = {
        "text": "Please pray for my friend who is looking for safe work.",
        "consent_to_publish": "on",
    }
    data.update(overrides)
    return guarded({key: value for key, value in data.items() if value is not None})


def test_url_name():
    assert reverse("prayer:submit_request") == URL


def test_form_is_accessible_and_warns(client, site_pages):
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    for field in ("text", "title", "topic", "wants_reply", "name", "email", "consent_to_publish"):
        assert f'for="id_{field}"' in html
    assert "full name" in html and "phone number" in html and "exact place" in html
    assert "publish" in html.lower() and "after editing" in html
    assert " style=" not in html and "<script>" not in html


def test_submission_is_held_for_moderation(client, site_pages, topic):
    response = client.post(
        URL,
        valid(topic="children", name="Ruth", email="Ruth@Example.org ", wants_reply="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("prayer:request_thanks")
    saved = PrayerRequest.objects.get()
    assert saved.status == PrayerRequest.Status.SUBMITTED
    assert saved.from_public_form and saved.consent_to_publish and saved.wants_reply
    assert saved.submitter_email == "ruth@example.org"
    assert saved.title == "Please pray for my friend who is looking for safe work."
    assert list(saved.topics.all()) == [topic]
    assert saved.moderators_notified_at is None
    assert "Thank you for your prayer request" in client.get(response["Location"]).content.decode()


def test_long_text_gives_a_short_derived_title(client, site_pages):
    client.post(URL, valid(text="word " * 300))
    title = PrayerRequest.objects.get().title
    assert title.endswith("…") and len(title.split()) == 12


def test_given_title_is_kept(client, site_pages):
    client.post(URL, valid(title="  Exams   next week "))
    assert PrayerRequest.objects.get().title == "Exams next week"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "text", "Please write your prayer request."),
        (valid(text="   \n  "), "text", "Please write your prayer request."),
        (valid(text="x" * 10_000), "text", "2,000 characters or fewer"),
        (valid(title="t" * 10_000), "title", "150 characters or fewer"),
        (valid(name="n" * 10_000, wants_reply="on", email="a@example.org"), "name", "100 char"),
        (valid(email="not-an-email"), "email", "Please enter an email address"),
        (valid(email="<script>@x"), "email", "Please enter an email address"),
        (valid(email="a" * 10_000 + "@example.org"), "email", "email address"),
        (valid(wants_reply="on"), "email", "so we can reply"),
        (valid(wants_reply="on", email="a@example.org"), "name", "so we can reply"),
        (valid(consent_to_publish=None), "consent_to_publish", "Please tick this box"),
        (valid(topic="no-such-topic"), "topic", "choose a topic from the list"),
        (valid(topic="1 OR 1=1; DROP TABLE prayer_topic"), "topic", "choose a topic"),
        (valid(topic="children\x00"), "topic", "Null characters are not allowed"),
        (valid(text="pray\x00"), "text", "Null characters are not allowed"),
        (valid(email="a\x00@example.org"), "email", "Null characters are not allowed"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, site_pages, data, field, message):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert PrayerRequest.objects.count() == 0
    assert mail.outbox == []


def test_html_and_script_are_stored_as_text_and_escaped(client, site_pages):
    hostile = "<script>alert('x')</script><b>bold</b> Robert'); DROP TABLE prayer_prayerrequest;--"
    response = client.post(URL, valid(text=hostile, title="<i>Title</i>"))
    assert response.status_code == 302
    saved = PrayerRequest.objects.get()
    assert saved.public_text == hostile
    assert saved.title == "<i>Title</i>"


def test_errors_redisplay_input_escaped(client, site_pages):
    response = client.post(URL, valid(text="<script>alert(1)</script>", consent_to_publish=None))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_honeypot_stores_and_sends_nothing(client, site_pages):
    response = client.post(URL, valid(website="http://spam.example", email="bot@example.org"))
    assert response.status_code == 302
    assert PrayerRequest.objects.count() == 0
    assert mail.outbox == []


def test_a_church_on_one_connection_is_not_turned_away(client, site_pages):
    for number in range(100):
        response = client.post(URL, valid(text=f"Request {number} from the church hall."))
        assert response.status_code == 302
    assert PrayerRequest.objects.count() == 100


def test_one_address_is_limited_and_the_request_comes_back_as_typed(client, site_pages):
    limit, _window = settings.RATE_LIMITS["prayer-request"]["email"]
    for _ in range(limit):
        assert client.post(URL, valid(email="ruth@example.org")).status_code == 302
    response = client.post(
        URL, valid(email="ruth@example.org", text="One more, for my sister.", name="Ruth")
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert "sent for this email address" in html
    assert "One more, for my sister.</textarea>" in html and 'value="Ruth"' in html
    assert PrayerRequest.objects.count() == limit
    assert client.post(URL, valid(email="other@example.org")).status_code == 302


def test_one_address_is_limited_at_its_number_from_many_connections(client, site_pages):
    """The per-address limit carries the protection: changing networks does not reset it."""
    limit, _window = settings.RATE_LIMITS["prayer-request"]["email"]
    for number in range(limit):
        response = client.post(
            URL, valid(email="ruth@example.org"), REMOTE_ADDR=f"198.51.100.{number + 1}"
        )
        assert response.status_code == 302
    refused = client.post(URL, valid(email="ruth@example.org"), REMOTE_ADDR="203.0.113.77")
    assert refused.status_code == 429
    assert "sent for this email address" in refused.content.decode()
    assert PrayerRequest.objects.count() == limit


def test_acknowledgement_email(client, site_pages):
    client.post(URL, valid(name="Ruth", email="ruth@example.org", wants_reply="on"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ruth@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "We received your prayer request"
    assert "Dear Ruth," in message.body
    assert "someone from our team will write to you" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Dear Ruth," in html and 'name="viewport"' in html
    assert "List-Unsubscribe" not in message.extra_headers


def test_no_acknowledgement_without_an_address(client, site_pages):
    client.post(URL, valid())
    assert PrayerRequest.objects.count() == 1
    assert mail.outbox == []


def test_no_personal_data_in_logs(client, site_pages, moderators, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(URL, valid(name="Ruth", email="ruth@example.org", wants_reply="on"))
    notify_moderators()
    assert "Told 2 moderators about 1 prayer requests" in caplog.text
    for personal in ("ruth@example.org", "Ruth", "mod.one@example.org", "127.0.0.1"):
        assert personal not in caplog.text


@pytest.fixture
def moderators(db):
    group, _ = Group.objects.get_or_create(name="Prayer moderators")
    active = UserFactory(email="mod.one@example.org", is_staff=True)
    second = UserFactory(email="mod.two@example.org", is_staff=True)
    gone = UserFactory(email="gone@example.org", is_staff=True, is_active=False)
    UserFactory(email="editor@example.org", is_staff=True)
    for user in (active, second, gone):
        user.groups.add(group)
    return [active, second]


def test_moderators_get_one_batched_email(client, site_pages, moderators):
    make_topic("Children")
    client.post(URL, valid(text="First request about exams", topic="children"))
    client.post(
        URL,
        valid(
            text="Second request <b>about</b> work",
            wants_reply="on",
            name="A",
            email="a@example.org",
        ),
    )
    make_request("Already approved by staff")
    mail.outbox.clear()

    assert notify_moderators() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "mod.one@example.org",
        "mod.two@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "2 new prayer requests to moderate"
    assert "First request about exams" in message.body and "(Children)" in message.body
    assert "wants a reply" in message.body
    assert "http://testserver/admin/snippets/prayer/prayerrequest/edit/" in message.body
    assert "Already approved by staff" not in message.body
    assert "a@example.org" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Second request &lt;b&gt;about&lt;/b&gt; work" in html
    assert PrayerRequest.objects.filter(moderators_notified_at__isnull=True).count() == 1


def test_moderator_notification_is_idempotent(client, site_pages, moderators):
    client.post(URL, valid())
    notify_moderators()
    assert len(mail.outbox) == 2
    assert notify_moderators() == 0
    assert len(mail.outbox) == 2

    client.post(URL, valid(text="A later request"))
    notify_moderators()
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].subject == "1 new prayer request to moderate"
    assert "A later request" in mail.outbox[-1].body


def test_nothing_sent_when_nothing_is_new(site_pages, moderators):
    assert notify_moderators() == 0
    assert mail.outbox == []


def test_without_moderators_submissions_wait(client, site_pages):
    client.post(URL, valid())
    assert notify_moderators() == 0
    assert PrayerRequest.objects.get().moderators_notified_at is None


def test_a_request_sent_faster_than_a_person_could_comes_back_with_the_text(
    client, site_pages, settings
):
    settings.PUBLIC_FORM_MIN_FILL_SECONDS = 3

    response = client.post(URL, valid(text="Please pray for the night shelter."))

    assert response.status_code == 200
    assert "quicker than we expected" in response.content.decode()
    assert "Please pray for the night shelter." in response.content.decode()
    assert not PrayerRequest.objects.exists()
