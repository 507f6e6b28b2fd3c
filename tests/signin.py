"""Signing in as people do: through allauth's pages, with the codes they would receive."""

import re
import time

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.core import mail
from django.utils.http import urlencode

from tests.factories import PASSWORD


def totp_code(secret):
    """What the person's authenticator app shows now (RFC 6238: 30-second steps). allauth
    takes only the current step's code, so one about to change is waited out, not sent."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left)
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def with_totp(user):
    """Give `user` an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def emailed_code(to):
    """The sign-in code in the last email sent to `to`."""
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)


def sign_in_with_password(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def sign_in_with_totp(client, user, secret):
    """Password, then the authenticator code, as allauth asks for them."""
    response = sign_in_with_password(client, user)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    return response


def prove_mailbox(client, user, next_url):
    """Ask for a code to the account's address and type it in (allauth's re-check by code)."""
    response = client.post(
        f"/accounts/reauthenticate/code/?{urlencode({'next': next_url})}", {"recipient": user.email}
    )
    assert response.status_code == 302, response
    return client.post(response["Location"], {"code": emailed_code(user.email)})
