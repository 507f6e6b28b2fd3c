"""Security headers for the public site, and the second factor before anything else."""

from django.conf import settings
from wagtail.views import serve as wagtail_serve

from core import second_factor
from core.caching import site_for_request


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


class SecondFactorMiddleware:
    """A signed-in session that has not passed its second factor goes through it first;
    staff set one up, after proving the mailbox, before the back office opens
    (core/second_factor.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and (detour := second_factor.gate(request)):
            return detour
        return self.get_response(request)


class WagtailSiteMiddleware:
    """Wagtail's Site for a page request, from the cached list of Sites (core/caching.py)
    rather than a query on every page. Wagtail keeps the Site it finds on the request
    (`request._wagtail_site`, read by Site.find_for_request); this sets it first, for the
    pages Wagtail serves only: the back office, /healthz (which must answer with the database
    down) and the other views look their Site up, if at all, as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve:
            request._wagtail_site = site_for_request(request)
