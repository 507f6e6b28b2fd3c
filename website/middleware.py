"""Security headers for the public site, and MFA before staff reach the back office."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


def content_security_policy():
    """The policy from settings.CONTENT_SECURITY_POLICY: {directive: [sources]}."""
    return "; ".join(
        f"{directive} {' '.join(sources)}".strip()
        for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script anywhere public) and Permissions-Policy.

    The Wagtail admin ships inline scripts and styles of its own, so the policy stops at
    `CSP_EXCLUDE_PREFIXES`; staff there are signed in with MFA.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not request.path.startswith(tuple(settings.CSP_EXCLUDE_PREFIXES)):
            response.setdefault("Content-Security-Policy", self.policy)
        return response


def needs_admin_mfa(user):
    from allauth.mfa.utils import is_mfa_enabled

    return (
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
        and not is_mfa_enabled(user)
    )


class StaffMFAMiddleware:
    """Staff must set up a second factor before the back office opens for them.

    Enrolment is the allauth.mfa TOTP page (with recovery codes); once it is active,
    allauth asks for the code at every sign-in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_MFA_REQUIRED
            and request.path.startswith(reverse("wagtailadmin_home"))
            and needs_admin_mfa(request.user)
        ):
            messages.info(
                request,
                "Please set up an authenticator app before using the back office: it keeps "
                "the people in our care safe if your password is ever stolen.",
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)
