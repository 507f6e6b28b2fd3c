"""The parts of a page that are the same for every visitor, kept between draws (issue 16, point 4).

The page cache (core/page_cache.py) gives anonymous visitors whole pages. Everyone it cannot
answer draws the page anew: whoever is signed in, has a session (part-way through a sign-up)
or was just shown a message, and everyone when PAGE_CACHE is off. On the editorial pages most
of that work does not depend on the visitor: the listings' queries, the story's stream, the
pictures' renditions, the social meta tags. A page type that inherits `KeptParts` keeps those
parts, `{% kept "head" %}` and `{% kept "main" %}` in base.html, and draws around them only
what is the visitor's own: the header ("Sign in" or "Your account"), the messages, the
back-office user bar. Its `get_context` is then not called at all.

A part is drawn as for an anonymous visitor, whoever is asking: `user` is AnonymousUser inside
it, and `{% csrf_token %}`, a form's stamp and a live value write the page cache's
placeholders. A part that holds one of those is not kept (it is drawn again, for this visitor,
as usual), so no visitor's token, stamp or stale count can reach another visitor.

Correctness is the page cache's: an entry records the generations of the areas the page shows
(core/generations.py), read before drawing, the local date and the moment the clock alone
changes the page, and is used only while all are unchanged, within PAGE_CACHE_SECONDS. Its key
is the scheme, the Host that Django checked, the path, every query parameter and the template.
A part is kept only from a GET answered 200 whose query parameters the page declared and took
as given (`core.page_cache.declare`), and never from a page under a view restriction, a
preview or an AJAX request. KEPT_PARTS=false turns it off: every part is drawn every time, as
for the first visitor after a change.
"""

from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from core import generations, page_privacy
from core.http_caching import PRIVATE_PREFIXES
from core.page_cache import (
    CSRF_PLACEHOLDER,
    LIVE_PLACEHOLDER,
    Keys,
    digest,
    drawing,
    personal_parts,
    still_current,
)

KEY_PREFIX = "vigil:parts:"


class PartNotKept(Exception):
    """A page drawn from its kept parts asked for a part the entry does not have."""


def current_generations(request):
    """The generations as the page cache read them for this request, or read now."""
    known = getattr(request, "generations", None)
    if known is None:
        known = request.generations = generations.current()
    return known


class PartsDrawing:
    """The kept parts of one page for one request: the entry to draw from, or what is being
    drawn to keep."""

    def __init__(self, request, page, key, current):
        self.request = request
        self.page = page
        self.key = key
        self.current = current
        self.today = timezone.localdate().isoformat()
        self.entry = None
        self.drawn = {}
        self.refused = False

    @classmethod
    def start(cls, request, page):
        """The drawing for `page`, or None when its parts may not be kept for `request`."""
        if not eligible(request, page):
            return None
        try:
            host = request.get_host()
            current = current_generations(request)
        except (DisallowedHost, DatabaseError):
            return None
        query = urlencode(sorted((k, v) for k in request.GET for v in request.GET.getlist(k)))
        identity = f"{Keys(request, host).base}?{query}|{page.get_template(request)}|"
        key = KEY_PREFIX + digest(identity + (translation.get_language() or ""))
        drawing_ = cls(request, page, key, current)
        entry = cache().get(key)
        if entry is not None and still_current(entry, current, drawing_.today):
            drawing_.entry = entry
        return drawing_

    def part(self, name):
        """The kept part `name` (drawing from the entry)."""
        try:
            return SafeString(self.entry["parts"][name])
        except KeyError:
            raise PartNotKept(name) from None

    def draw(self, name, nodelist, context):
        """Draw part `name` as for an anonymous visitor and remember it; a part that holds a
        visitor's own value (a token, a stamp, a live count) is drawn again as usual and the
        page is not kept."""
        html = draw_as_anyone(nodelist, context)
        encoded = html.encode()
        if personal_parts(encoded) or LIVE_PLACEHOLDER.search(encoded):
            self.refused = True
            if not drawing.get():  # no page cache middleware to fill them in
                html = nodelist.render(context)
        self.drawn[name] = html
        return html

    def keep(self, response):
        """Post-render: keep the parts drawn for this response, when they may be."""
        declared = getattr(self.request, "page_cache", None)
        if (
            self.refused
            or not self.drawn
            or response.status_code != 200
            or declared is None
            or not declared.allows_keeping(self.request)
        ):
            return
        entry = {
            **declared.validity(self.current, self.today),
            "parts": self.drawn,
            "declaration": declared,
        }
        cache().set(self.key, entry, settings.PAGE_CACHE_SECONDS)

    def declare_kept(self):
        """What the page declared when its parts were drawn, said again for the page cache."""
        self.request.page_cache = replace(self.entry["declaration"])


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def eligible(request, page):
    return (
        settings.KEPT_PARTS
        and request.method == "GET"
        and not getattr(request, "is_preview", False)
        and not getattr(request, "is_dummy", False)
        and request.headers.get("x-requested-with") is None
        and not request.path.startswith(PRIVATE_PREFIXES)
        and page.live
        and not isinstance(page, RoutablePageMixin)
        # Outside a request's privacy list (None), or restricted: not kept.
        and page_privacy.restrictions_for(page) == []
    )


def draw_as_anyone(nodelist, context):
    """Render `nodelist` as the page cache draws a page for anonymous visitors."""
    token = drawing.set(True)
    try:
        with context.push(
            user=AnonymousUser(), perms=None, messages=(), csrf_token=CSRF_PLACEHOLDER
        ):
            return nodelist.render(context)
    finally:
        drawing.reset(token)


class KeptParts:
    """A Wagtail page whose kept parts are the same for every visitor (see the module
    docstring). Before `CachedPage` in the bases: it declares what `CachedPage` would.

    Only for a page that shows every visitor the same content: its `get_context` runs with
    `request.user` anonymous while its parts may be kept, so what it reads of a signed-in
    visitor (their sign-ups, an address only they may see) never reaches a kept part. A page
    that shows such things to the visitor (an opportunity with "You: confirmed") must not
    keep its parts. Not for routable pages: a sub-route draws another template.
    """

    def serve(self, request, *args, **kwargs):
        parts = PartsDrawing.start(request, self)
        if parts is None:
            return super().serve(request, *args, **kwargs)
        request.kept_parts = parts
        if parts.entry is not None:
            parts.declare_kept()
            request.is_preview = False
            response = TemplateResponse(
                request, self.get_template(request), Page.get_context(self, request)
            )
            try:
                return response.render()
            except PartNotKept:
                parts.entry = None  # drawn in full below, and kept again
        response = self.serve_as_anyone(request, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(parts.keep)
        return response

    def serve_as_anyone(self, request, *args, **kwargs):
        """The page's own serve, with `request.user` anonymous while it builds its context;
        the visitor is back when the response is drawn (the header's "Your account")."""
        user = request.__dict__.get("user")
        request.user = AnonymousUser()
        try:
            return super().serve(request, *args, **kwargs)
        finally:
            if user is None:
                del request.user
            else:
                request.user = user
