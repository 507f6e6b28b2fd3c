"""Which pages are private (Wagtail's view restrictions), read once per request.

Every page served asks Wagtail whether a restriction applies to it or to an ancestor (two
queries), and every public listing leaves out the pages below a restriction (a subquery built
and compiled anew each time). Sites have a handful of restrictions, usually none, so a request
reads them all once, on first use, and answers both questions from that list:

- `restrictions_for(page)`: the restrictions Wagtail's check would find for `page` (its own and
  its ancestors', an alias answering for its source page as in Page.get_view_restrictions);
- `restricted_paths()`: the tree paths below which pages are not public.

The list lives for one request (`RequestPrivacyMiddleware`) and is forgotten as soon as a
restriction is saved or deleted, so a request that changes one reads them again. Outside a
request (tasks, the shell) both return None and callers query as before.
"""

from contextvars import ContextVar

from django.db.models import F

_UNREAD = object()
_current: ContextVar = ContextVar("vigil_page_privacy", default=None)


class RequestPrivacy:
    def __init__(self):
        self._restrictions = _UNREAD

    def restrictions(self):
        """[(restriction, the tree paths it covers)]: its page's, and its aliases'."""
        if self._restrictions is _UNREAD:
            self._restrictions = read_restrictions()
        return self._restrictions

    def forget(self):
        self._restrictions = _UNREAD


def read_restrictions():
    """[(restriction, the tree paths it covers for Wagtail's check)], every restriction.

    Wagtail's check (Page.get_view_restrictions) puts an alias's source page in the alias's
    place: the restriction of a source page covers its aliases and what lies below them
    (aliases of aliases too), and a restriction on an alias page itself (Wagtail copies one
    there when the alias is made) covers nothing of its own.
    """
    from wagtail.models import Page, PageViewRestriction

    restrictions = list(
        PageViewRestriction.objects.annotate(
            page_path=F("page__path"), page_alias_of=F("page__alias_of_id")
        )
    )
    covered = {r.page_id: {r.page_path} for r in restrictions if r.page_alias_of is None}
    sources = {page_id: {page_id} for page_id in covered}  # page id -> restricted pages
    frontier = set(covered)
    while frontier:
        aliases = Page.objects.filter(alias_of_id__in=frontier).values_list(
            "id", "path", "alias_of_id"
        )
        frontier = set()
        for alias_id, path, source_id in aliases:
            for restricted in sources[source_id]:
                covered[restricted].add(path)
            if alias_id not in sources:
                sources[alias_id] = set()
                frontier.add(alias_id)
            sources[alias_id] |= sources[source_id]
    return [(r, tuple(covered.get(r.page_id, ()))) for r in restrictions]


def current():
    """This request's list of restrictions, or None outside a request."""
    return _current.get()


def restrictions_for(page):
    """The view restrictions that apply to `page`, or None outside a request."""
    privacy = current()
    if privacy is None:
        return None
    return [
        restriction
        for restriction, paths in privacy.restrictions()
        if any(page.path.startswith(path) for path in paths)
    ]


def restricted_paths():
    """The tree paths of the pages with a restriction of their own, or None outside a request
    (the rule of website's PublicPageQuerySet.public())."""
    privacy = current()
    if privacy is None:
        return None
    return [restriction.page_path for restriction, _ in privacy.restrictions()]


def forget_restrictions(**kwargs):
    """Called when a view restriction is saved or deleted."""
    privacy = current()
    if privacy is not None:
        privacy.forget()


class RequestPrivacyMiddleware:
    """Gives each request its own list of view restrictions, read when first needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestPrivacy())
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class RestrictionsFromRequest:
    """A page type whose `get_view_restrictions` (Wagtail's check before serving it) is
    answered from the request's list of restrictions: no query of its own. Outside a request,
    Wagtail's own."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        found = restrictions_for(self)
        if found is None:
            return super().get_view_restrictions()
        if not found:
            return PageViewRestriction.objects.none()
        # A queryset (the admin orders and counts it) already holding its answer.
        restrictions = PageViewRestriction.objects.filter(pk__in=[r.pk for r in found])
        restrictions._result_cache = found
        restrictions._prefetch_done = True
        return restrictions
