"""Staff cannot use the back office until they have set up a second factor."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.test import override_settings

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def editor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client):
    sign_in(client, editor())

    response = client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert "next=/admin/pages/" in response["Location"]
    # allauth asks for the password again before a device is added.
    reauthenticate = client.get(response["Location"])
    assert reauthenticate["Location"].startswith("/accounts/reauthenticate/")
    page = client.get(reauthenticate["Location"])
    assert b"authenticator app" in page.content
    confirmed = client.post(reauthenticate["Location"], {"password": PASSWORD})
    activate = client.get(confirmed["Location"])
    assert activate.status_code == 200
    assert activate.wsgi_request.path == "/accounts/2fa/totp/activate/"


def test_superusers_are_held_to_it_too(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.get("/admin/").status_code == 302


def test_staff_with_totp_reach_the_admin(client):
    user = editor()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    assert client.get("/admin/").status_code == 200


def test_sign_in_asks_for_the_code_once_totp_is_active(client):
    user = editor()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not client.get("/admin/").wsgi_request.user.is_authenticated

    # What the supporter's authenticator app shows now (RFC 6238: 30-second steps).
    code = f"{hotp_value(secret, int(time.time()) // 30):06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_supporters_are_not_asked_for_a_second_factor(client):
    client.force_login(UserFactory())

    response = client.get("/account/")

    assert response.status_code == 200


@override_settings(STAFF_MFA_REQUIRED=True)
def test_a_supporter_sent_to_the_admin_is_refused_not_enrolled(client):
    client.force_login(UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/accounts/2fa/" not in response["Location"]
