"""A second factor belongs to the session, not the account (ARCHITECTURE.md, known traps).

allauth records in the session how it was authenticated (a password, an emailed code, the
second factor ...). Vigil reads those records, so whatever path signed a session in, and
whatever path is added later (a test helper, Django's own views, an API), it cannot stand
in for the second factor:

- a session whose user has a second factor, but which has not passed it, is sent back
  through allauth's second-factor step (`SecondFactorMiddleware`);
- a staff account that has no second factor yet enrols only in a session that has proved
  it can read the account's mailbox (a sign-in or confirmation code sent to it, or a
  password reset link), never on the strength of a password someone typed.
"""

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Recovery codes alone are not a second factor: allauth asks for one of these at sign-in.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
# Ways of signing in that only someone who reads the account's mailbox can complete.
MAILBOX_METHODS = {"code", "password_reset"}
# allauth's pages where a second factor is added.
ENROLMENT_URL_NAMES = ("mfa_activate_totp", "mfa_add_webauthn")


def session_methods(request: HttpRequest) -> set[str]:
    """How this session was authenticated, as allauth recorded it, for its current user."""
    return {record.get("method") for record in get_authentication_records(request, request.user)}


def passed_second_factor(request: HttpRequest) -> bool:
    return "mfa" in session_methods(request)


def proved_mailbox(request: HttpRequest) -> bool:
    return bool(MAILBOX_METHODS & session_methods(request))


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and bool(is_mfa_enabled(user, SECOND_FACTOR_TYPES))


def is_staff_account(user: Any) -> bool:
    """Anyone the back office opens for."""
    return bool(user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


def may_use_back_office(request: HttpRequest) -> bool:
    """Would the back office open for this session? For what it alone may see elsewhere
    (a withdrawn photo's files, staff portraits)."""
    user = request.user
    return bool(
        user.is_authenticated
        and user.has_perm("wagtailadmin.access_admin")
        and (passed_second_factor(request) or not settings.STAFF_MFA_REQUIRED)
    )


def in_back_office(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("wagtailadmin_home"))


def on_enrolment_page(request: HttpRequest) -> bool:
    return request.path in {reverse(name) for name in ENROLMENT_URL_NAMES}


def ask_for_second_factor(request: HttpRequest) -> HttpResponse:
    """Sign the session out and start allauth's sign-in for the same account, which stops
    at the second-factor step; back where the visitor was going once it is passed."""
    user = request.user
    next_url = request.get_full_path() if request.method == "GET" else None
    logout(request)
    messages.info(request, "Please confirm it is you with your second factor.")
    response: HttpResponse = perform_login(
        request,
        user,
        email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
        redirect_url=next_url,
    )
    return response


def ask_for_mailbox_proof(request: HttpRequest, next_url: str) -> HttpResponse:
    """A code to the account's verified address before a second factor is set up."""
    if not EmailAddress.objects.filter(user=request.user, verified=True).exists():
        # No address to send a code to: allauth's sign-in verifies it first.
        logout(request)
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    messages.info(
        request,
        "Before you set up a second factor, we check that this account's mailbox is yours: "
        "we will send a code to its address.",
    )
    return redirect(
        f"{reverse('account_request_reauthentication_code')}?{urlencode({'next': next_url})}"
    )


def ask_to_enrol(request: HttpRequest) -> HttpResponse:
    enrol_url = f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}"
    if not proved_mailbox(request):
        return ask_for_mailbox_proof(request, enrol_url)
    messages.info(
        request,
        "Please set up an authenticator app before using the back office: it keeps "
        "the people in our care safe if your password is ever stolen.",
    )
    return redirect(enrol_url)


def gate(request: HttpRequest) -> HttpResponse | None:
    """None when this signed-in session may go on, else where it must go first."""
    if passed_second_factor(request):
        return None
    user = request.user
    if has_second_factor(user):
        return ask_for_second_factor(request)
    if not settings.STAFF_MFA_REQUIRED or not (
        in_back_office(request) or on_enrolment_page(request)
    ):
        return None
    if not is_staff_account(user):
        return None
    if in_back_office(request):
        return ask_to_enrol(request)
    if not proved_mailbox(request):
        return ask_for_mailbox_proof(request, request.get_full_path())
    return None


@receiver(authenticator_added, dispatch_uid="vigil-second-factor-enrolled")
def count_enrolment_as_passed(
    sender: type[Authenticator],
    request: HttpRequest,
    user: AbstractBaseUser,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    """Setting up a factor means entering a code from it (or touching the key): this
    session has passed it. Without this the session would be signed out at once."""
    from allauth.account.internal.flows.login import record_authentication

    if authenticator.type in SECOND_FACTOR_TYPES:
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
        )
