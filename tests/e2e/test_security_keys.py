"""A supporter adds a security key (WebAuthn) from their account and signs in with it, in
Chromium with a virtual authenticator, under the site's Content-Security-Policy."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from tests.factories import build_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long passphrase for the test"  # noqa: S105


@pytest.fixture
def supporter(transactional_db, settings, live_server):
    build_site()
    settings.SITE_URL = live_server.url
    # http://localhost is a secure context for the browser; the server side must agree.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    user = get_user_model().objects.create_user(email="ruth@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def virtual_authenticator(page):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def sign_in_with_password(page, url):
    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill("ruth@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_supporter_adds_a_security_key_and_signs_in_with_it(live_server, supporter, browser):
    page = browser.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    virtual_authenticator(page)

    sign_in_with_password(page, live_server.url)
    page.wait_for_url("**/account/**")
    page.goto(live_server.url + "/accounts/2fa/webauthn/add/")
    # Adding a key asks for the password again (allauth's reauthentication).
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Laptop key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=supporter, type="webauthn").count() == 1
    assert Authenticator.objects.filter(user=supporter, type="recovery_codes").count() == 1, (
        "the first key comes with recovery codes"
    )

    page.context.clear_cookies()
    sign_in_with_password(page, live_server.url)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/account/**")
    assert "ruth@example.org" in page.content()
    assert refused == []
