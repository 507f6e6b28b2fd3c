"""Signed links, rate limits and the suppression list that every app relies on."""

import pytest
from django.test import RequestFactory

from core.mailing import may_receive_bulk, suppressed_addresses, unsubscribe_headers
from core.models import Suppression
from core.ratelimit import allow, client_ip
from core.signing import LinkRefused, make_token, read_token


def test_a_token_reads_back_for_its_purpose_only():
    token = make_token("prayer-confirm", 42, version=3)
    assert read_token(token, "prayer-confirm") == (42, 3)
    with pytest.raises(LinkRefused):
        read_token(token, "prayer-unsubscribe")


@pytest.mark.parametrize("token", ["", "x", "a" * 5000, "eyJpZCI6NDJ9:abc:def", "<script>"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(LinkRefused):
        read_token(token, "prayer-confirm")


def test_a_tampered_token_is_refused():
    token = make_token("prayer-confirm", 42)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(LinkRefused):
        read_token(tampered, "prayer-confirm")


def test_tokens_expire(time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    token = make_token("prayer-confirm", 7)
    time_machine.move_to("2026-01-08 12:00:01+00:00", tick=False)
    with pytest.raises(LinkRefused, match="expired"):
        read_token(token, "prayer-confirm", max_age=7 * 24 * 3600)


def test_rate_limit_counts_per_identity():
    assert all(allow("test", "1.2.3.4", 3, 60) for _ in range(3))
    assert not allow("test", "1.2.3.4", 3, 60)
    assert allow("test", "5.6.7.8", 3, 60)


def test_client_ip_trusts_forwarded_for_only_behind_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 9.9.9.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "9.9.9.9"


@pytest.mark.django_db
def test_only_active_suppressions_block_bulk_mail():
    Suppression.objects.create(email="gone@example.org", active=True, reason="hard_bounce")
    Suppression.objects.create(email="once@example.org", active=False, soft_bounce_count=1)
    assert suppressed_addresses(["Gone@Example.org ", "once@example.org", "ok@example.org"]) == {
        "gone@example.org"
    }
    assert not may_receive_bulk("gone@example.org")
    assert may_receive_bulk("once@example.org")


def test_one_click_unsubscribe_headers():
    headers = unsubscribe_headers("https://vigil.example.org/pray/unsubscribe/abc/")
    assert headers == {
        "List-Unsubscribe": "<https://vigil.example.org/pray/unsubscribe/abc/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
