"""What leaves the server compressed, and who may keep a copy of it (issue 16, point 2).

Two middlewares, in this order in MIDDLEWARE (website/settings/base.py), right after WhiteNoise:

    CompressionMiddleware                        gzip, last thing done to the body
    django.middleware.http.ConditionalGetMiddleware   ETag, and 304 when it still matches
    CacheControlMiddleware                       public (revalidate) or private, no-store

A response goes back up that list, so `CacheControlMiddleware` decides first (after the
session and CSRF middlewares below it have set their cookies), then ConditionalGetMiddleware
hashes the *uncompressed* body into an ETag (none when the answer is `no-store`) and answers a
matching `If-None-Match` or `If-Modified-Since` with an empty 304, and compression comes last.
Django's gzip output is randomised (see below), so an ETag of the compressed body would never
match twice; GZipMiddleware marks the ETag weak instead (W/"..."), which Django's conditional
GET still matches.

Who may keep a copy. A view that sets Cache-Control itself has decided (photos and documents in
core/media.py, calendar feeds, `never_cache` views) and is left alone. Otherwise a response is
*shared*, `public, max-age=0, must-revalidate` with `Vary: Cookie`, only when nothing in it can
belong to one visitor:

- a GET or HEAD answered 200,
- to a visitor without a session cookie (not signed in, nothing kept for them: no password
  for a private page, no message, no pending sign-up),
- that sets no cookie (a page with a form sets the CSRF cookie, so its masked token, a secret
  of this visitor, is never shared),
- at a URL without a signed token (manage links, my slots, the preference centre, calendar
  feeds ... every signed link is a `token` in the URL),
- outside the back office (previews are there).

Everything else is `private, no-store`. A `no-store` answer, ours or a view's, loses any ETag
or Last-Modified, so no browser or proxy keeps it and no 304 can answer one visitor with a
validator seen by another.
`max-age=0` means every reuse is checked with the server first: a page taken down (consent
ended, unpublished) is gone at the next request, from proxies too.

Compression. HTML, feeds (RSS, Atom, .ics), JSON, XML and plain text, when at least 200 bytes
and not streamed. Streamed answers are file downloads (photos, documents, exports) and are left
as they are; so is anything that already has a Content-Encoding. Static files never reach this
middleware: WhiteNoise, above it, serves their precompressed copies.

BREACH (compressed secrets guessed from response lengths). What is mitigated: the CSRF token
is masked anew for every response (Django), so it never repeats from one response to the next;
Django's gzip adds 0-99 random bytes to every compressed body ("Heal the Breach"), which blurs
the length the attack measures (it slows the attack down, it does not make it impossible); and
signed tokens sit only in URLs, emails and private pages. What is not: a page that reflects what
the visitor typed next to a secret of theirs (an email address next to a form on a signed-link
page) is compressed like any other; random padding is length *blurring*, not length *hiding*.
Anyone who wants none of it can turn `COMPRESS_RESPONSES` off and compress at a front server.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/calendar",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
        "application/ld+json",
        "image/svg+xml",
    }
)

# The back office (and its previews) and the account pages are never shared.
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/account/")

SHARED = {"public": True, "max_age": 0, "must_revalidate": True}
PERSONAL = {"private": True, "no_store": True}


def compressible(response):
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return not response.streaming and content_type in COMPRESSIBLE_TYPES


def directives(response):
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for text only and never for downloads."""

    def process_response(self, request, response):
        if not settings.COMPRESS_RESPONSES or not compressible(response):
            return response
        return super().process_response(request, response)


def carries_signed_link(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and any(name.endswith("token") for name in match.kwargs)


def shareable(request, response):
    """May a browser or proxy keep this response for anyone (revalidating first)?"""
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not (user is not None and user.is_authenticated)
        and not response.cookies
        and not carries_signed_link(request)
        and not request.path.startswith(PRIVATE_PREFIXES)
    )


class CacheControlMiddleware:
    """Cache-Control on every response whose view did not set one (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            if shareable(request, response):
                patch_cache_control(response, **SHARED)
                patch_vary_headers(response, ("Cookie",))
            else:
                patch_cache_control(response, **PERSONAL)
        if "no-store" in directives(response):
            # Nothing kept, so nothing to revalidate: no 304 from a validator seen elsewhere
            # (a preview carries the ETag its inner page request was given, for instance).
            for validator in ("ETag", "Last-Modified"):
                if response.has_header(validator):
                    del response.headers[validator]
        return response
