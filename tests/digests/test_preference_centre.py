"""The preference centre: a signed link from any email, or the account page when signed in."""

import datetime

import pytest
from django.test import Client

from digests.links import preferences_url, unsubscribe_url
from digests.models import Subscription
from tests.digests.subscription_helpers import make_subscription, make_topic
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday


@pytest.fixture
def topics(site_pages):
    return make_topic("Children at risk"), make_topic("Vocational training")


@pytest.fixture
def subscription(topics):
    return make_subscription(
        name="Ruth", frequency="weekly", weekday=0, time_zone="UTC", topics=[topics[0]]
    )


def path_of(subscription):
    return preferences_url(subscription.pk, subscription.link_version).removeprefix(
        "http://testserver"
    )


def preferences_data(**overrides):
    data = {
        "action": "save",
        "name": "Ruth",
        "frequency": "weekly",
        "weekday": "0",
        "time_zone": "UTC",
    }
    data.update(overrides)
    return data


def test_the_link_shows_the_current_choices(client, subscription, topics):
    response = client.get(path_of(subscription))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "ruth@example.org" in html
    assert f'value="{topics[0].pk}" id="id_topics_0" checked' in html
    assert '<option value="UTC" selected>' in html
    assert "data-detect-time-zone" not in html, "the saved zone is never replaced by the browser's"
    assert "Pause updates" in html and "Unsubscribe" in html


def test_saving_new_choices(client, subscription, topics, time_machine):
    time_machine.move_to(NOW, tick=False)
    response = client.post(
        path_of(subscription),
        preferences_data(
            name="ルツ",
            topics=[topics[1].pk],
            frequency="weekly",
            weekday="4",
            time_zone="America/New_York",
        ),
    )

    assert response.status_code == 200
    assert "Your preferences are saved." in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.name == "ルツ"
    assert list(subscription.topics.all()) == [topics[1]]
    assert (subscription.weekday, subscription.time_zone) == (4, "America/New_York")
    # Friday 6 March, 07:00 in New York (UTC-5) is 12:00 UTC.
    assert subscription.next_digest_at == datetime.datetime(2026, 3, 6, 12, tzinfo=datetime.UTC)


def test_saving_here_drops_an_older_unconfirmed_signup(client, subscription):
    Subscription.objects.filter(pk=subscription.pk).update(
        pending_changes={"frequency": "daily", "weekday": 0, "time_zone": "UTC"}
    )

    client.post(path_of(subscription), preferences_data(frequency="monthly"))

    subscription.refresh_from_db()
    assert subscription.frequency == "monthly"
    assert subscription.pending_changes is None


def test_choosing_no_topics_means_all(client, subscription):
    client.post(path_of(subscription), preferences_data(frequency="daily"))

    subscription.refresh_from_db()
    assert subscription.topics.count() == 0
    assert subscription.frequency == "daily"


def test_pause_resume_and_unsubscribe(client, subscription, time_machine):
    time_machine.move_to(NOW, tick=False)
    path = path_of(subscription)

    paused = client.post(path, {"action": "pause"})
    assert "Your updates are paused" in paused.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAUSED
    assert subscription.next_digest_at is None
    assert "Resume updates" in paused.content.decode()

    client.post(path, {"action": "resume"})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.next_digest_at == datetime.datetime(2026, 3, 9, 7, tzinfo=datetime.UTC)

    gone = client.post(path, {"action": "unsubscribe"})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at == NOW
    assert "Subscribe again" in gone.content.decode()

    client.post(path, {"action": "resume"})
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.unsubscribed_at is None


def test_an_unknown_action_changes_nothing(client, subscription):
    response = client.post(path_of(subscription), {"action": "<script>drop table</script>"})

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"frequency": "weekly", "weekday": ""}, "Choose the day your weekly update should"),
        ({"name": "N" * 10_000}, "at most 100 characters"),
        ({"name": "<script>alert(1)</script>"}, "without &lt; or &gt;"),
        ({"topics": ["99999"]}, "Choose topics from the list."),
        ({"frequency": "' OR 1=1 --"}, "Choose daily, weekly or monthly."),
        ({"frequency": ""}, "This field is required."),
    ],
)
def test_bad_input_changes_nothing(client, subscription, topics, overrides, message):
    data = preferences_data(**{"name": "Changed", "frequency": "daily", **overrides})
    response = client.post(path_of(subscription), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "<script>alert(1)</script>" not in html
    subscription.refresh_from_db()
    assert subscription.name == "Ruth"
    assert subscription.frequency == "weekly"
    assert list(subscription.topics.all()) == [topics[0]]


def test_the_link_does_not_expire(client, subscription, time_machine):
    path = path_of(subscription)
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=400))

    assert client.get(path).status_code == 200


def test_raising_the_link_version_revokes_old_links(client, subscription):
    path = path_of(subscription)
    Subscription.objects.filter(pk=subscription.pk).update(link_version=3)

    response = client.post(path, {"action": "unsubscribe"})
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_tampered_and_wrong_purpose_links(client, subscription):
    path = path_of(subscription)
    unsubscribe_token = unsubscribe_url(subscription.pk, 0).rstrip("/").rsplit("/", 1)[1]

    assert client.get(path[:-5] + "xyz/").status_code == 400
    assert client.get(f"/pray/preferences/{unsubscribe_token}/").status_code == 400
    assert client.get("/pray/preferences/" + "a" * 10_000 + "/").status_code == 400


def test_a_pending_subscription_must_be_confirmed_first(client, topics):
    pending = make_subscription(status=Subscription.Status.PENDING)

    response = client.post(path_of(pending), preferences_data(frequency="daily"))

    assert "Follow the confirmation link" in response.content.decode()
    pending.refresh_from_db()
    assert pending.frequency == "weekly"
    assert pending.status == Subscription.Status.PENDING


def test_the_preference_form_needs_its_csrf_token(subscription):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(path_of(subscription), {"action": "unsubscribe"})

    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_signed_in_supporters_see_their_subscriptions(client, topics, time_machine):
    time_machine.move_to(NOW, tick=False)  # the signed link below is made in the same second
    user = UserFactory(email="ruth@example.org")
    mine = make_subscription(email="ruth@example.org", topics=[topics[1]])
    make_subscription(email="someone.else@example.org")
    client.login(email=user.email, password=PASSWORD)

    home = client.get("/account/").content.decode()
    assert 'href="/pray/subscriptions/"' in home

    response = client.get("/pray/subscriptions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ruth@example.org" in html and "Vocational training" in html
    assert "someone.else@example.org" not in html
    assert preferences_url(mine.pk, mine.link_version) in html


def test_an_unverified_address_shows_no_subscription(client, topics):
    user = UserFactory(email="ruth@example.org", verified=False)
    user.emailaddress_set.create(email="ruth@example.org", verified=False, primary=True)
    make_subscription(email="ruth@example.org")
    client.force_login(user)

    html = client.get("/pray/subscriptions/").content.decode()

    assert "ruth@example.org</strong>" not in html
    assert "None of your verified addresses" in html


def test_the_account_page_needs_a_sign_in(client, site_pages):
    response = client.get("/pray/subscriptions/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
