"""Behind a proxy, allauth's sign-in, code and reset limits key on the client the proxy saw,
as Vigil's own limits do: one setting, one function (core.ratelimit.client_ip)."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from core.ratelimit import client_ip
from tests.factories import PASSWORD, UserFactory
from website.account.adapter import AccountAdapter

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


def test_allauths_proxy_count_is_vigils():
    """One setting drives both, from the environment, in every settings module."""
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "2", "SECRET_KEY": "x", "ALLOWED_HOSTS": "x"}
    for module in ("website.settings.dev", "website.settings.production"):
        output = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-c",
                f"import {module} as s; "
                "print(s.TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert output.split() == ["2", "2"], module


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize(
    "forwarded",
    [
        "",
        "203.0.113.5",
        "198.51.100.7, 203.0.113.5",
        "1.1.1.1, 198.51.100.7, 203.0.113.5",
        "not-an-address",
        "2001:db8::1",
        " , ",
        "203.0.113.5:443",
    ],
)
def test_allauth_and_vigil_see_the_same_client(settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert AccountAdapter(request).get_client_ip(request) == client_ip(request)
    assert client_ip(request)


def fail_to_sign_in(client, email, forwarded):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": "wrong password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_one_clients_bad_sign_ins_behind_the_proxy_lock_out_only_that_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # what an operator sets: TRUSTED_PROXY_COUNT=1
    staff = UserFactory(email="coordinator@example.org", is_staff=True)
    # Someone guessing passwords for many accounts from one address, through the proxy.
    for attempt in range(11):
        response = fail_to_sign_in(client, f"guess{attempt}@example.org", "203.0.113.5")
    assert "Too many failed login attempts" in response.content.decode()

    colleague = client.__class__()
    response = colleague.post(
        "/accounts/login/",
        {"login": staff.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, settings):
    """The client can write anything before the proxy's entry; only the proxy's counts."""
    settings.TRUSTED_PROXY_COUNT = 1  # what an operator sets: TRUSTED_PROXY_COUNT=1
    for attempt in range(11):
        response = fail_to_sign_in(
            client, f"guess{attempt}@example.org", f"192.0.2.{attempt}, 203.0.113.5"
        )

    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("forwarded", ["", "garbage", "203.0.113.5, nonsense"])
def test_odd_forwarded_for_headers_never_break_sign_in(client, settings, forwarded):
    """allauth's own reading raises (a 500) when the header has fewer entries than proxies."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    user = UserFactory()

    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )

    assert response.status_code == 302
