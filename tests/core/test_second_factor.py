"""A second factor belongs to the session: no password-only way into the back office.

Every way of signing a session in is tried (allauth's form, Django's `login`, the test
client's `force_login`, Wagtail's own front-end login): a staff member with a second factor
reaches no back-office page until this session has passed it, and a staff account without
one is enrolled only after proving its mailbox.
"""

from urllib.parse import unquote

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from tests.factories import PASSWORD, UserFactory
from tests.signin import (
    emailed_code,
    prove_mailbox,
    sign_in_with_password,
    sign_in_with_totp,
    totp_code,
    with_totp,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]

BACK_OFFICE_PAGES = ["/admin/", "/admin/pages/", "/admin/snippets/", "/admin/users/"]


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def editor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def signed_in(client):
    return "_auth_user_id" in client.session


# -- staff with a second factor ------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_then_opens_the_back_office(client):
    user = editor()
    secret = with_totp(user)

    response = sign_in_with_password(client, user)

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("page", BACK_OFFICE_PAGES)
@pytest.mark.parametrize(
    "password_only",
    [
        pytest.param(lambda client, user: client.force_login(user), id="force_login"),
        pytest.param(
            lambda client, user: client.login(email=user.email, password=PASSWORD),
            id="django_login",
        ),
    ],
)
def test_a_password_only_session_reaches_no_back_office_page(client, page, password_only):
    user = superuser()
    with_totp(user)
    password_only(client, user)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    assert client.get(page).status_code == 302


def test_the_second_factor_step_leads_back_where_the_person_was_going(client):
    user = superuser()
    secret = with_totp(user)
    client.force_login(user)

    client.get("/admin/pages/")
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_a_wrong_code_at_that_step_opens_nothing(client):
    user = superuser()
    with_totp(user)
    client.force_login(user)
    client.get("/admin/")

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/admin/").status_code == 302


def test_a_password_only_session_cannot_remove_the_second_factor(client):
    user = editor()
    with_totp(user)
    client.force_login(user)

    response = client.post("/accounts/2fa/totp/deactivate/", {})

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_supporters_second_factor_holds_for_their_session_too(client):
    user = UserFactory()
    with_totp(user)
    client.force_login(user)

    response = client.get("/account/")

    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)


def test_wagtails_front_end_login_signs_nobody_in(client):
    user = superuser()
    with_totp(user)

    response = client.post(
        "/_util/login/?next=/admin/", {"username": user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert not signed_in(client)
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")


# -- staff without a second factor ---------------------------------------------------------


def test_staff_who_typed_a_password_prove_the_mailbox_before_enrolling(client):
    user = editor()
    sign_in_with_password(client, user)

    response = client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/code/?next=")
    assert "next=/accounts/2fa/totp/activate/?next=" in unquote(response["Location"])
    page = client.get(response["Location"], follow=True)
    assert b"we will send a code to its address" in page.content


@pytest.mark.parametrize(
    "enrolment_page", ["/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"]
)
def test_the_enrolment_pages_themselves_ask_for_the_mailbox_first(client, enrolment_page):
    sign_in_with_password(client, superuser())

    response = client.get(enrolment_page)

    assert response["Location"].startswith("/accounts/reauthenticate/code/")


@pytest.mark.django_db(transaction=True)
def test_after_the_emailed_code_staff_set_up_an_authenticator_and_reach_the_back_office(client):
    """Committed for real: allauth announces the new authenticator once it is committed."""
    user = superuser()
    sign_in_with_password(client, user)
    mail.outbox.clear()

    response = prove_mailbox(client, user, "/accounts/2fa/totp/activate/?next=/admin/")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=/admin/"
    activate = client.get(response["Location"])
    assert activate.status_code == 200
    secret = activate.context["form"].secret
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Entering the new app's code passed the second factor for this session.
    assert client.get("/admin/pages/").status_code == 200


def test_a_wrong_emailed_code_does_not_open_enrolment(client):
    user = editor()
    sign_in_with_password(client, user)
    client.post("/accounts/reauthenticate/code/", {"recipient": user.email})

    client.post("/accounts/reauthenticate/code/confirm/", {"code": "WRNG-CODE"})

    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/code/"
    )


def test_staff_who_signed_in_by_emailed_code_go_straight_to_enrolment(client):
    user = editor()
    response = client.post("/accounts/login/code/", {"email": user.email})
    client.post(response["Location"], {"code": emailed_code(user.email)})

    response = client.get("/admin/")

    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_staff_without_a_verified_address_are_sent_to_sign_in_properly(client):
    user = UserFactory(is_staff=True, is_superuser=True, verified=False)
    client.force_login(user)

    response = client.get("/admin/")

    assert response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


def test_the_admin_that_make_run_creates_proves_its_mailbox_too(client, tmp_path):
    call_command("ensure_admin", credentials_file=tmp_path / "admin.txt", stdout=None)
    lines = (tmp_path / "admin.txt").read_text().splitlines()
    email = next(line.split(": ")[1] for line in lines if line.startswith("email:"))
    password = next(line.split(": ")[1] for line in lines if line.startswith("password:"))
    client.post("/accounts/login/", {"login": email, "password": password})

    response = client.get("/admin/")

    assert response["Location"].startswith("/accounts/reauthenticate/code/")
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/code/"
    )


def test_supporters_may_add_a_second_factor_after_the_password_check(client):
    """Only staff accounts need the mailbox first: a supporter protects their own account."""
    sign_in_with_password(client, UserFactory())

    response = client.get("/accounts/2fa/totp/activate/")

    assert response["Location"].startswith("/accounts/reauthenticate/?")


def test_a_supporter_sent_to_the_admin_is_refused_not_enrolled(client):
    sign_in_with_password(client, UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/accounts/2fa/" not in response["Location"]
    assert "/accounts/reauthenticate/" not in response["Location"]


def test_supporters_are_not_asked_for_a_second_factor(client):
    client.force_login(UserFactory())

    assert client.get("/account/").status_code == 200


def test_with_the_requirement_off_staff_use_the_back_office_with_a_password(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    sign_in_with_password(client, editor())

    assert client.get("/admin/").status_code == 200


def test_the_requirement_never_waives_a_factor_that_is_set_up(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = editor()
    with_totp(user)
    client.force_login(user)

    assert client.get("/admin/")["Location"] == "/accounts/2fa/authenticate/"


def test_signed_in_with_both_factors_staff_keep_working(client):
    user = editor()
    secret = with_totp(user)
    sign_in_with_totp(client, user, secret)

    for page in BACK_OFFICE_PAGES[:2]:
        assert client.get(page).status_code == 200
