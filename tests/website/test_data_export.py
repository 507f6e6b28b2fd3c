"""Your data: everything Vigil holds about the person, as a JSON download and a readable page,
behind a fresh password check, and never anybody else's data, a secret or a token."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.registration import add_contact
from digests import links as prayer_links
from tests.factories import PASSWORD, UserFactory, supporter_records
from tests.signin import sign_in_with_totp

pytestmark = pytest.mark.django_db

EMAIL = "ruth@example.org"
TOTP_SECRET = "JBSWY3DPEHPK3PXPCANARYAA"


@pytest.fixture
def home(site_pages):
    return site_pages[0]


def sign_in(client, email=EMAIL):
    client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def reauthenticate(client):
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def download(client):
    response = client.get("/account/data/download/")
    assert response.status_code == 200
    return response, json.loads(response.content)


@pytest.mark.parametrize("path", ["/account/data/", "/account/data/download/"])
def test_seeing_the_data_asks_for_the_password_again(client, db, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")
    UserFactory(email=EMAIL)
    sign_in(client)

    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauthenticate/?next={path.replace('/', '%2F')}"

    response = client.post(response["Location"], {"password": "wrong password"})
    assert response.status_code == 200
    assert client.get(path).status_code == 302

    response = client.post(
        f"/accounts/reauthenticate/?next={path}", {"password": PASSWORD, "next": path}
    )
    assert response["Location"] == path
    assert client.get(path).status_code == 200


def test_the_download_is_a_json_attachment_with_everything_joined(client, home):
    records = supporter_records(home, EMAIL)
    user = UserFactory(email=EMAIL)
    TOTP.activate(user, TOTP_SECRET)
    sign_in_with_totp(client, user, TOTP_SECRET)
    reauthenticate(client)

    response, data = download(client)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="vigil-data-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert data["account"]["email"] == EMAIL
    assert data["account"]["email_addresses"] == [
        {"email": EMAIL, "verified": True, "primary": True}
    ]
    assert data["account"]["second_factors"][0]["kind"] == "TOTP Authenticator"
    assert data["about_this_file"]["records_found_for"] == [EMAIL]

    [subscription] = data["prayer_updates"]
    assert subscription["email"] == EMAIL
    assert subscription["consent"]["given_at"]
    assert subscription["consent"]["from_ip_address"] == "203.0.113.7"
    [calendar] = data["prayer_calendars"]
    assert calendar["calendar"] == records["calendar_subscription"].calendar.title
    [vigil] = data["prayer_vigils"]
    assert vigil["shown_as"] == "Ruth Mensah" and len(vigil["slots"]) == 2
    [prayer_request] = data["prayer_requests"]
    assert prayer_request["restricted_text"] == "She is at the shelter in the old town."
    [volunteer] = data["volunteering"]
    assert volunteer["phone"] == "+447700900123"
    assert volunteer["hours_served"] == 3.0
    assert {signup["status"] for signup in volunteer["signups"]} == {"Confirmed"}
    assert volunteer["safeguarding_checks"][0]["certificate_number"] == "CERT-778899"
    [church] = data["church_registrations"]
    assert church["church_name"] == records["registration"].church_name
    assert church["country"] == "United Kingdom"
    assert church["your_contact_details"]["phone"] == "+442079460958"
    assert church["consent_to_campaign_updates"]["given"] is True


def test_the_download_holds_nobody_elses_data_and_no_secret(client, home):
    records = supporter_records(home, EMAIL)
    other = supporter_records(home, "other@example.org", name="Other Person")
    other["prayer_request"].restricted_text = "CANARY-OTHERS-RESTRICTED"
    other["prayer_request"].save()
    add_contact(
        records["registration"],
        {
            "contact_name": "Fellow Contact",
            "email": "fellow@example.org",
            "phone": "+447911123456",
            "role": "Treasurer",
        },
    )
    user = UserFactory(email=EMAIL)
    TOTP.activate(user, TOTP_SECRET)
    sign_in_with_totp(client, user, TOTP_SECRET)
    reauthenticate(client)

    body = download(client)[0].content.decode()

    for absent in (
        "other@example.org",
        "Other Person",
        "CANARY-OTHERS-RESTRICTED",
        "Fellow Contact",
        "fellow@example.org",
        "+447911123456",
        TOTP_SECRET,
        get_user_model().objects.get().password,
        client.session.session_key,
    ):
        assert absent not in body, absent
    subscription = records["subscription"]
    token_url = prayer_links.preferences_url(subscription.pk, subscription.link_version)
    assert token_url.rsplit("/", 2)[-2] not in body
    assert "link_version" not in body and "token" not in body


def test_an_unverified_address_exports_nothing_but_the_account(client, home):
    supporter_records(home, EMAIL)
    user = UserFactory(email="me@example.org")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=False)
    sign_in(client, "me@example.org")
    reauthenticate(client)

    data = download(client)[1]

    assert data["about_this_file"]["records_found_for"] == ["me@example.org"]
    for key in ("prayer_updates", "prayer_vigils", "volunteering", "church_registrations"):
        assert data[key] == []
    assert {"email": EMAIL, "verified": False, "primary": False} in data["account"][
        "email_addresses"
    ]


def test_the_readable_page_shows_the_same_data(client, home):
    records = supporter_records(home, EMAIL)
    other = supporter_records(home, "other@example.org", name="Other Person")
    UserFactory(email=EMAIL)
    sign_in(client)
    reauthenticate(client)

    response = client.get("/account/data/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your data</h1>" in html
    for text in (
        '<h2 id="data-2">Account</h2>',
        "Prayer updates",
        "Consent",
        "203.0.113.7",
        records["vigil_signup"].vigil.title,
        "She is at the shelter in the old town.",
        "CERT-778899",
        records["registration"].church_name,
        "Your contact details",
        'href="/account/data/download/"',
    ):
        assert text in html, text
    assert other["registration"].church_name not in html
    assert "Other Person" not in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


def test_data_a_person_typed_is_shown_escaped(client, home):
    records = supporter_records(home, EMAIL)
    records["volunteer"].name = "<script>alert(1)</script>"
    records["volunteer"].save()
    UserFactory(email=EMAIL)
    sign_in(client)
    reauthenticate(client)

    html = client.get("/account/data/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/account/data/", "/account/data/download/"])
def test_the_data_takes_a_fixed_number_of_queries(client, home, path):
    user = UserFactory(email=EMAIL)
    supporter_records(home, EMAIL)
    sign_in(client)
    reauthenticate(client)
    client.get(path)  # the site's menus are cached after the first
    one_each = count_queries(client, path)

    for number in range(2, 5):
        address = f"ruth{number}@example.org"
        EmailAddress.objects.create(user=user, email=address, verified=True)
        supporter_records(home, address)
    client.get(path)
    four_each = count_queries(client, path)

    assert one_each == four_each
