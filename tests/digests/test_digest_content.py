"""What goes into a digest: new requests, praise, stories and campaigns; never an empty digest."""

import datetime

import pytest
from django.core import mail

from digests import dispatching
from digests.models import DigestDelivery, DigestIssue, Subscription
from prayer.models import PrayerRequest, Topic
from tests.factories import add_campaign, add_story

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)  # a Monday
CANARY = "CANARY-safe-house-7731"


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """pytest-django swaps in locmem; digests are sent in batches through anymail's backend."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def topics(db):
    return (
        Topic.objects.create(name="Children", slug="children"),
        Topic.objects.create(name="Rescue", slug="rescue"),
    )


def make_request(title, *topics, hours_ago=2, status="approved", **fields):
    request = PrayerRequest.objects.create(
        title=title,
        public_text=f"Please pray: {title}.",
        status=status,
        approved_at=NOW - datetime.timedelta(hours=hours_ago),
        **fields,
    )
    request.topics.set(topics)
    return request


def subscribe(email, *topics, **fields):
    fields.setdefault("status", Subscription.Status.ACTIVE)
    fields.setdefault("frequency", "daily")
    subscription = Subscription.objects.create(email=email, **fields)
    subscription.topics.set(topics)
    return subscription


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """A dispatch as the task runs it: batches go out once its transaction commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return dispatching.dispatch()

    return run


def sent_to(email):
    return [m for m in mail.outbox if email in m.to]


def body_for(email):
    [message] = sent_to(email)
    return message.body, message.alternatives[0][0]


def test_subscriber_gets_only_their_topics(now, dispatch, topics):
    children, rescue = topics
    make_request("School fees for Asha", children)
    make_request("A raid next week", rescue)
    subscribe("c@example.org", children)
    subscribe("all@example.org")

    dispatch()

    text, html = body_for("c@example.org")
    assert "School fees for Asha" in text and "School fees for Asha" in html
    assert "A raid next week" not in text
    text, _ = body_for("all@example.org")
    assert "School fees for Asha" in text and "A raid next week" in text


def test_no_empty_digest_but_schedule_moves_on(now, dispatch, topics):
    subscriber = subscribe("quiet@example.org", topics[0])
    make_request("Only about rescue", topics[1])

    result = dispatch()

    assert result.due == 1 and result.without_content == 1
    assert mail.outbox == []
    assert DigestIssue.objects.count() == 0
    subscriber.refresh_from_db()
    assert subscriber.next_digest_at == datetime.datetime(2026, 3, 3, 7, tzinfo=datetime.UTC)
    assert subscriber.last_digest_at is None


def test_only_requests_since_the_last_digest(now, dispatch, topics):
    make_request("Old news", hours_ago=30)
    make_request("Fresh", hours_ago=1)
    subscribe("s@example.org", last_digest_at=NOW - datetime.timedelta(hours=5))

    dispatch()

    text, _ = body_for("s@example.org")
    assert "Fresh" in text and "Old news" not in text


def test_never_sent_daily_gets_the_last_day_weekly_the_last_week(now, dispatch, topics):
    make_request("Three days ago", hours_ago=72)
    subscribe("daily@example.org", frequency="daily")
    subscribe("weekly@example.org", frequency="weekly", weekday=0)

    dispatch()

    assert sent_to("daily@example.org") == []
    text, _ = body_for("weekly@example.org")
    assert "Three days ago" in text


def test_unapproved_and_expired_requests_are_left_out(now, dispatch, topics):
    make_request("Waiting for moderation", status="submitted")
    make_request("Rejected one", status="rejected")
    make_request("Expired one", expires_at=NOW - datetime.timedelta(minutes=1))
    make_request("Approved one")
    subscribe("s@example.org")

    dispatch()

    text, _ = body_for("s@example.org")
    assert "Approved one" in text
    for title in ("Waiting for moderation", "Rejected one", "Expired one"):
        assert title not in text


def test_answered_prayer_as_praise(now, dispatch, topics):
    make_request(
        "Job for Mira",
        status="answered",
        hours_ago=100,
        answered_at=NOW - datetime.timedelta(hours=3),
        praise_report="Mira started at the bakery!",
    )
    subscribe("s@example.org")

    dispatch()

    text, html = body_for("s@example.org")
    assert "Mira started at the bakery!" in text
    assert "Answered prayer" in html


def test_new_stories_and_upcoming_campaigns(now, dispatch, site_pages):
    home, news = site_pages
    add_story(news, title="A new beginning at the centre")
    add_campaign(home, title="Freedom Sunday", start_date=datetime.date(2026, 3, 20), summary="x")
    add_campaign(home, title="Far away campaign", start_date=datetime.date(2026, 9, 1), summary="x")
    subscribe("s@example.org")

    dispatch()

    text, html = body_for("s@example.org")
    assert "A new beginning at the centre" in text
    assert "Freedom Sunday" in html
    assert "Far away campaign" not in text


def test_campaign_alone_is_not_news(now, dispatch, site_pages):
    home, _ = site_pages
    add_campaign(home, title="Freedom Sunday", start_date=datetime.date(2026, 3, 20), summary="x")
    subscribe("s@example.org")

    dispatch()

    assert mail.outbox == []


def test_restricted_text_only_for_verified_subscribers_who_asked(now, dispatch, topics):
    make_request("Safe house appeal", restricted_text=f"The address is {CANARY}.")
    subscribe("verified@example.org", wants_restricted=True, restricted_verified=True)
    subscribe("unverified@example.org", wants_restricted=True)
    subscribe("verified-not-asked@example.org", restricted_verified=True)
    subscribe("plain@example.org")

    dispatch()

    text, html = body_for("verified@example.org")
    assert CANARY in text and CANARY in html
    for email in ("unverified@example.org", "verified-not-asked@example.org", "plain@example.org"):
        text, html = body_for(email)
        assert "Safe house appeal" in text
        assert CANARY not in text and CANARY not in html
    restricted_issue = DigestIssue.objects.get(includes_restricted=True)
    assert CANARY not in restricted_issue.browser_html
    assert "Safe house appeal" in restricted_issue.browser_html
    assert not DigestIssue.objects.filter(browser_html__contains=CANARY).exists()


def test_one_issue_per_distinct_content(now, dispatch, topics):
    children, rescue = topics
    make_request("About children", children)
    make_request("About rescue", rescue)
    subscribe("both@example.org", children, rescue)
    for i in range(3):
        subscribe(f"c{i}@example.org", children)
    for i in range(2):
        subscribe(f"a{i}@example.org")

    result = dispatch()

    # Children-only readers share one issue; everyone else gets both requests.
    assert result.issues == 2
    assert DigestIssue.objects.count() == 2
    assert DigestDelivery.objects.filter(status="sent").count() == 6
    assert len(mail.outbox) == 2
    assert sorted(len(m.to) for m in mail.outbox) == [3, 3]


def test_paused_pending_and_unsubscribed_get_nothing(now, dispatch, topics):
    make_request("Something new")
    for status in ("pending", "paused", "unsubscribed"):
        subscribe(f"{status}@example.org", status=status)
    subscribe("later@example.org", next_digest_at=NOW + datetime.timedelta(hours=1))

    result = dispatch()

    assert result.due == 0
    assert mail.outbox == []


def test_email_has_html_text_and_browser_link(now, dispatch, topics):
    make_request("Something new")
    subscribe("s@example.org")

    dispatch()

    [message] = mail.outbox
    issue = DigestIssue.objects.get()
    assert message.subject == issue.subject
    assert "prayer update" in message.subject.lower()
    assert message.alternatives[0][1] == "text/html"
    assert f"/pray/digests/{issue.pk}/" in message.body
    assert 'name="viewport"' in message.alternatives[0][0]


def test_hostile_text_is_escaped_in_html(now, dispatch, topics):
    make_request("<script>alert(1)</script> title")
    subscribe("s@example.org")

    dispatch()

    _, html = body_for("s@example.org")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
