"""Anonymous visitors' pages from a shared cache (issue 16, point 1).

The campaign rush is anonymous: thousands open the wall, a story and the vigil page within
minutes of a digest. `PageCacheMiddleware` keeps what such a visitor was shown in the cache
(Redis when REDIS_URL is set, each process's memory otherwise) and gives the next one the
same bytes, without the session, authentication, routing or template work.

What is kept. A page is kept only when its view said it may be (opt-in):

- Wagtail pages inherit `CachedPage` and name the areas they show (`cache_areas`); function
  views use `@cached_for_visitors(...)`; a view whose page reads query parameters declares
  them with `declare(request, params=..., canonical=...)` (see "Query strings").
- and only a GET answered 200, to a visitor with no session and no message cookie (so never
  to anyone signed in, part-way through a sign-up or just shown a message), at a URL without a
  signed token, outside the back office (previews are there), whose view set no cookie and
  did not mark itself private (`core.http_caching.shareable`).

Correctness: generations, not purges. An entry records the generation of every area it was
drawn from (core/generations.py: numbers in the database, moved by triggers in the same
transaction as any change to a watched table) and is used again only while they are all the
same, on the same local date, within PAGE_CACHE_SECONDS. The generations are read from the
database on every request (one query), before the page is drawn, so:

- a change is visible in the cache exactly when it is committed, by whatever path it was
  made: publishing, unpublishing, moving or deleting a page; a request approved, answered or
  withdrawn; a consent taken down; a church registered; a slot taken; an "I prayed" counted;
- nothing has to be purged, so no purge can fail; a cache that was down and comes back with
  old entries serves none of them (their generations are old);
- a page drawn while a change commits is kept under the generations read before it, which
  are then already old, so it is never served as current.

What depends on the clock rather than a change is caught by the date (a consent ending on a
date), by the moment a page says the clock changes it (`CachedPage.cache_changes_at`: a prayer
calendar's next day), and otherwise within PAGE_CACHE_SECONDS (a request published at a set
time, the vigil's "now").

Forms. A page with a form carries a CSRF token, a secret of one visitor. While a cacheable
page is drawn, `{% csrf_token %}` writes a placeholder instead (`csrf_placeholder`, a context
processor); the kept copy has placeholders, and every visitor's copy gets its own token,
masked anew, and its own CSRF cookie, exactly as Django would have given them. The "I prayed"
button needs no token at all: it is a harmless one-button action, checked by its Origin
instead (core/same_origin.py), so the wall is the same bytes for everyone.

Query strings. The key is the scheme, the host (which Django has checked against
ALLOWED_HOSTS), the path and the values of the parameters the page declared: `?fbclid=...`
or any other unknown parameter is not part of the key, and a page drawn with one is never
kept. A page is kept only when the view says the values it was given were taken as they are
(`canonical`): `?page=abc` or a topic that does not exist draws a page, but it is not kept,
so made-up values cannot fill the cache.

Failure. The cache backend fails soft (core/cache_backends.py): a cache that is down costs a
miss, never an error.
"""

import gzip
import hashlib
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from core import generations
from core.http_caching import PRIVATE_PREFIXES, compressible, directives, shareable

ALL_AREAS = "__all__"
CONTENT = "content"
CSRF_PLACEHOLDER = "vigil-page-cache-csrf-placeholder-7f0c2e"
KEY_PREFIX = "vigil:page:"
# Response headers that belong to one response, not to the page.
NOT_KEPT = frozenset({"set-cookie", "vary", "content-length", "etag", "content-encoding"})
GZIP_ACCEPTED = re.compile(r"\bgzip\b")
SMALLEST_COMPRESSED = 200  # as GZipMiddleware: smaller bodies are not worth it


@dataclass
class Declaration:
    """What a view said about its page: the areas it shows, the query parameters it reads,
    and whether it took the values it was given as they are."""

    areas: tuple[str, ...] | str = ALL_AREAS
    params: tuple[str, ...] = ()
    canonical: bool = True
    until: float | None = None  # a timestamp: when the clock alone changes the page

    def allows_keeping(self, request):
        """Whether what was drawn for `request` may be kept: every parameter it was given
        declared and taken as given, and the clock not already past its change."""
        return (
            self.canonical
            and set(request.GET) <= set(self.params)
            and (self.until is None or self.until > time.time())
        )

    def validity(self, current, today):
        """What an entry drawn under this declaration records, so that `still_current` uses it
        only while nothing it shows has changed: the generations read before drawing
        (`current`), the local date, the clock's next change."""
        return {
            "areas": self.areas,
            "generations": shown_generations(self.areas, current),
            "day": today,
            "until": self.until,
        }


def declare(request, *, areas=None, params=None, canonical=None, until=None):
    """Say (or refine) what the page being drawn for `request` may be kept as; `until` (an
    aware datetime) is when the clock alone changes it (a calendar's next day begins)."""
    current = getattr(request, "page_cache", None) or Declaration()
    if until is not None:
        moment = until.timestamp()
        current.until = moment if current.until is None else min(current.until, moment)
    if areas is not None:
        current.areas = areas if areas == ALL_AREAS else tuple(areas)
    if params is not None:
        current.params = tuple(params)
    if canonical is not None:
        current.canonical = bool(canonical)
    request.page_cache = current
    return current


def given_as_is(request, name, value):
    """Whether ?name= was absent or said exactly `value` (the page number, a slug)."""
    given = request.GET.getlist(name)
    return not given or (len(given) == 1 and given[0] == str(value))


class CachedPage:
    """A Wagtail page that anonymous visitors may be given from the cache.

    `cache_areas` names the generations its content depends on ("content" is always one);
    the default, every area, is always right and only costs hits.
    """

    cache_areas: tuple[str, ...] | str = ALL_AREAS

    def cache_changes_at(self):
        """When the clock alone next changes this page (an aware datetime), or None."""
        return None

    def serve(self, request, *args, **kwargs):
        if request.method == "GET":
            declare(request, areas=self.cache_areas, until=self.cache_changes_at())
        return super().serve(request, *args, **kwargs)


def cached_for_visitors(areas=ALL_AREAS, params=()):
    """The function-view form of `CachedPage`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "GET":
                declare(request, areas=areas, params=params)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Whether the page being drawn may be kept (set by the middleware around the view).
drawing = ContextVar("vigil_page_cache_drawing", default=False)
# Placeholder -> what each visitor gets in its place.
PER_VISITOR = {CSRF_PLACEHOLDER.encode(): lambda request: get_token(request)}


def per_visitor(placeholder, make):
    """`make()`, or while a page that may be kept is drawn, `placeholder`: the kept copy has
    the placeholder, and each visitor's copy a fresh `make()` (a form's "shown at" stamp)."""
    PER_VISITOR.setdefault(placeholder.encode(), lambda request: make())
    return placeholder if drawing.get() else make()


# Live values: numbers a kept page shows that change far more often than the page (the wall's
# "Prayers so far"), filled in each time the page is served, one query per kind, so a press of
# "I prayed" does not throw the wall away. kind -> fill(keys) -> {key: value}.
LIVE: dict[str, Callable[[list[int]], dict[int, object]]] = {}
LIVE_PLACEHOLDER = re.compile(rb"vigil-live-([a-z]+)-([0-9]+)-")


def register_live(kind, fill):
    """`fill(keys)` answers {key: value} for the keys of `kind` on a page being served; its
    table must not move a generation for this value (core/generations.py, ignore_columns)."""
    LIVE[kind] = fill


def live(kind, key, value):
    """`value`, or while a page that may be kept is drawn, a placeholder filled in with the
    value of the moment whenever the page is served."""
    if drawing.get() and kind in LIVE:
        return f"vigil-live-{kind}-{int(key)}-"
    return value


def fill_live(body):
    found = {}
    for kind, key in LIVE_PLACEHOLDER.findall(body):
        found.setdefault(kind.decode(), set()).add(int(key))
    values = {kind: LIVE[kind](sorted(keys)) for kind, keys in found.items()}
    return LIVE_PLACEHOLDER.sub(
        lambda match: str(values[match[1].decode()].get(int(match[2]), "")).encode(), body
    )


def csrf_placeholder(request):
    """Context processor: while a page that may be kept is drawn, `{% csrf_token %}` writes a
    placeholder, which the middleware swaps for each visitor's own token."""
    if drawing.get():
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def personal_parts(body):
    return [placeholder for placeholder in PER_VISITOR if placeholder in body]


def bypasses(request):
    """Whether this request is never answered from the cache nor kept."""
    cookies = request.COOKIES
    return (
        not settings.PAGE_CACHE
        or request.method != "GET"
        or settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
        or "HTTP_AUTHORIZATION" in request.META
        or request.path.startswith(PRIVATE_PREFIXES)
    )


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Keys:
    """The cache keys of one request."""

    def __init__(self, request, host):
        self.request = request
        self.base = f"{request.scheme}://{host}{request.path}"

    @property
    def params(self):
        return KEY_PREFIX + "params:" + digest(self.base)

    def page(self, names):
        chosen = sorted((name, value) for name in names for value in self.request.GET.getlist(name))
        return KEY_PREFIX + digest(self.base + "?" + urlencode(chosen))


def shown_generations(declared, current):
    """The generations a page drawn now depends on."""
    if declared == ALL_AREAS:
        return dict(current)
    return {area: current.get(area) for area in {CONTENT, *declared}}


def still_current(entry, current, today):
    if entry.get("day") != today:
        return False
    if entry.get("until") is not None and time.time() >= entry["until"]:
        return False
    if entry["areas"] == ALL_AREAS:
        return entry["generations"] == current
    return all(current.get(area) == value for area, value in entry["generations"].items())


def accepts_gzip(request):
    return bool(GZIP_ACCEPTED.search(request.headers.get("Accept-Encoding", "")))


class PageCacheMiddleware:
    """Answer anonymous GETs from the cache (see the module docstring).

    In MIDDLEWARE right below core.http_caching.CacheControlMiddleware, so a page from the
    cache still gets its Cache-Control, ETag and compression decided above, and above the
    session, CSRF and authentication middlewares, which a page from the cache does without.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    @property
    def cache(self):
        return caches[settings.PAGE_CACHE_ALIAS]

    def __call__(self, request):
        if bypasses(request):
            return self.get_response(request)
        try:
            keys = Keys(request, request.get_host())
        except DisallowedHost:
            return self.get_response(request)
        try:
            current = request.generations = generations.current()
        except DatabaseError:
            # No database, no way to know what is current: the page (or /healthz) says so.
            return self.get_response(request)
        today = timezone.localdate().isoformat()
        names = () if not request.GET else self.cache.get(keys.params)
        if names is not None:
            entry = self.cache.get(keys.page(names))
            if entry is not None and still_current(entry, current, today):
                return self.from_entry(request, entry)
        token = drawing.set(True)
        try:
            response = self.get_response(request)
        finally:
            drawing.reset(token)
        declared = getattr(request, "page_cache", None)
        if declared is not None and response.status_code == 200:
            self.keep(request, response, keys, declared, current, today)
        if not response.streaming and (
            personal_parts(response.content) or LIVE_PLACEHOLDER.search(response.content)
        ):
            self.fill_in(request, response)
        return response

    def keep(self, request, response, keys, declared, current, today):
        timeout = settings.PAGE_CACHE_SECONDS
        self.cache.set(keys.params, declared.params, timeout)
        if not self.may_keep(request, response, declared):
            return
        body = response.content
        entry = {
            **declared.validity(current, today),
            "headers": [
                (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
            ],
            "body": body,
            "personal": bool(personal_parts(body)),
            "live": bool(LIVE_PLACEHOLDER.search(body)),
        }
        if not entry["personal"] and not entry["live"]:
            entry["etag"] = f'W/"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
            if (
                settings.COMPRESS_RESPONSES
                and compressible(response)
                and len(body) >= SMALLEST_COMPRESSED
            ):
                entry["gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
        self.cache.set(keys.page(declared.params), entry, timeout)
        response["X-Page-Cache"] = "miss"

    def may_keep(self, request, response, declared):
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part}
        return (
            declared.allows_keeping(request)
            and not response.streaming
            and not response.has_header("Content-Encoding")
            and vary <= {"cookie", "accept-encoding"}
            and not directives(response) & {"private", "no-store", "no-cache"}
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and shareable(request, response)
        )

    def from_entry(self, request, entry):
        response = HttpResponse(entry["body"])
        for name, value in entry["headers"]:
            response[name] = value
        if entry["personal"] or entry["live"]:
            # Its ETag and compression are decided above, for the bytes this visitor gets.
            if entry["personal"]:
                self.csrf.process_request(request)
            self.fill_in(request, response)
        else:
            response["ETag"] = entry["etag"]
            if "gzip" in entry and accepts_gzip(request):
                response.content = entry["gzip"]
                response["Content-Encoding"] = "gzip"
            if "gzip" in entry:
                patch_vary_headers(response, ("Accept-Encoding",))
        response["Content-Length"] = str(len(response.content))
        response["X-Page-Cache"] = "hit"
        return response

    def fill_in(self, request, response):
        """Swap each placeholder for this visitor's own value (a CSRF token masked anew, a
        form's stamp), and give them the CSRF cookie when a token was handed out."""
        body = fill_live(response.content)
        for placeholder in personal_parts(body):
            parts = body.split(placeholder)
            make = PER_VISITOR[placeholder]
            values = [make(request).encode() for _ in parts[1:]]
            body = b"".join(part + value for part, value in zip(parts, [*values, b""], strict=True))
        response.content = body
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(body))
        self.csrf.process_response(request, response)
