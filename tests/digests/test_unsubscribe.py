"""One-click unsubscribe (RFC 8058): a POST with no login and no CSRF token is enough."""

import datetime

import pytest
from django.test import Client

from core.mailing import unsubscribe_headers
from digests.links import preferences_url, unsubscribe_url
from digests.models import Subscription
from tests.digests.subscription_helpers import make_subscription

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def subscription(site_pages):
    return make_subscription(next_digest_at=NOW + datetime.timedelta(days=1))


@pytest.fixture
def mail_client():
    """What a mail client sends: no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def path_of(subscription):
    return unsubscribe_url(subscription.pk, subscription.link_version).removeprefix(
        "http://testserver"
    )


def test_one_click_post_unsubscribes_without_csrf_or_login(mail_client, subscription, time_machine):
    time_machine.move_to(NOW, tick=False)

    response = mail_client.post(
        path_of(subscription),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at == NOW
    assert subscription.next_digest_at is None


def test_a_second_post_keeps_the_first_time(mail_client, subscription, time_machine):
    time_machine.move_to(NOW, tick=False)
    mail_client.post(path_of(subscription))
    time_machine.move_to(NOW + datetime.timedelta(hours=3), tick=False)

    assert mail_client.post(path_of(subscription)).status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at == NOW


def test_get_only_shows_a_one_button_page(client, subscription):
    response = client.get(path_of(subscription))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert html.count('type="submit"') == 2, "the unsubscribe button and the site search"
    assert '<form method="post">' in html, "posts back to this page (no empty action: invalid)"
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE, "link scanners GET links"


def test_the_button_on_the_page_works(mail_client, subscription):
    mail_client.get(path_of(subscription))
    mail_client.post(path_of(subscription))

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


def test_links_are_absolute_signed_and_need_no_query(django_assert_num_queries, settings):
    settings.SITE_URL = "https://pray.example.org"

    with django_assert_num_queries(0):
        links = [unsubscribe_url(number, 2) for number in range(1, 200)]
        preferences = preferences_url(7, 2)

    assert links[0].startswith("https://pray.example.org/pray/unsubscribe/")
    assert len(set(links)) == len(links)
    assert preferences.startswith("https://pray.example.org/pray/preferences/")
    headers = unsubscribe_headers(links[0])
    assert headers["List-Unsubscribe"] == f"<{links[0]}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    "token",
    ["tampered", "x" * 10_000, "eyJpZCI6IjEifQ:1xVe2g:forged", "%3Cscript%3E"],
    ids=["garbage", "oversized", "forged", "script"],
)
def test_bad_tokens_get_a_friendly_400(mail_client, subscription, token):
    for method in (mail_client.get, mail_client.post):
        response = method(f"/pray/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_preference_link_cannot_unsubscribe(mail_client, subscription):
    token = preferences_url(subscription.pk, 0).rstrip("/").rsplit("/", 1)[1]

    assert mail_client.post(f"/pray/unsubscribe/{token}/").status_code == 400


def test_revoked_or_deleted_subscriptions_get_404(mail_client, subscription):
    old = path_of(subscription)
    Subscription.objects.filter(pk=subscription.pk).update(link_version=1)
    assert mail_client.post(old).status_code == 404

    other = make_subscription(email="other@example.org")
    path = path_of(other)
    other.delete()
    assert mail_client.post(path).status_code == 404


def test_other_methods_are_refused(mail_client, subscription):
    assert mail_client.put(path_of(subscription)).status_code == 405
