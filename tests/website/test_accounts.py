"""Accounts: email login with verification, login by code, and staff sign in through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_sign_up_requires_verifying_the_address(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.org"]
    assert "/accounts/confirm-email/" in message.body
    assert any(kind == "text/html" for _, kind in message.alternatives)

    # Unverified, the account cannot sign in yet: allauth sends a new confirmation instead.
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", message.body).group(1)
    client.post(f"/accounts/confirm-email/{key}/")
    assert EmailAddress.objects.get(user=user).verified
    client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_by_emailed_code(client):
    user = UserFactory(email="code@example.org")
    response = client.post("/accounts/login/code/", {"email": "code@example.org"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["code@example.org"]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)
    client.post(response["Location"], {"code": code})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_code_does_not_sign_in(client):
    UserFactory(email="code@example.org")
    response = client.post("/accounts/login/code/", {"email": "code@example.org"})
    response = client.post(response["Location"], {"code": "WRNG-CODE"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "email",
    ["", "not-an-email", "a" * 60 + "@" + "b" * 200 + ".org", "<script>alert(1)</script>@x.org"],
)
def test_sign_up_with_bad_email_says_what_is_wrong(client, email):
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.exists()
    assert b"<script>alert(1)</script>" not in response.content


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_reach_the_admin_after_signing_in_with_allauth(client):
    staff = UserFactory(email="editor@example.org", is_staff=True)
    staff.groups.add(Group.objects.get(name="Editors"))
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "editor@example.org", "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_supporters_without_staff_groups_are_kept_out_of_the_admin(client):
    UserFactory(email="supporter@example.org")
    client.login(email="supporter@example.org", password=PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert not response["Location"].startswith("/admin/")


def test_account_page_needs_sign_in_and_shows_the_address(client):
    assert client.get("/account/")["Location"].startswith("/accounts/login/")
    UserFactory(email="me@example.org")
    client.login(email="me@example.org", password=PASSWORD)
    response = client.get("/account/")
    assert response.status_code == 200
    assert "me@example.org" in response.content.decode()


def test_the_four_staff_groups_exist_with_admin_access():
    names = set(Group.objects.values_list("name", flat=True))
    expected = {"Editors", "Prayer moderators", "Volunteer coordinators", "Campaign coordinators"}
    assert expected <= names
    assert "Moderators" not in names
    for group in Group.objects.filter(name__in=expected):
        assert group.permissions.filter(codename="access_admin").exists()
