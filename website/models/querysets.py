"""Page querysets for public listings."""

import operator
from functools import reduce

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from core.page_privacy import restricted_paths


class PublicPageQuerySet(PageQuerySet):
    def public(self):
        """Pages with no view restriction on themselves or an ancestor.

        The same rule as Wagtail's `public()`: a restriction applies when its page's tree path
        starts this page's path. In a request, from the request's list of restrictions (read
        once, core/page_privacy.py): no condition at all when there are none. Elsewhere as a
        subquery, so it costs no query of its own.
        """
        paths = restricted_paths()
        if paths is not None:
            if not paths:
                return self._chain()
            return self.exclude(reduce(operator.or_, (Q(path__startswith=p) for p in paths)))
        restricted = PageViewRestriction.objects.filter(
            page__depth__lte=OuterRef("depth"),
            page__path=Substr(OuterRef("path"), 1, F("page__depth") * Page.steplen),
        )
        return self.exclude(Exists(restricted))


PublicPageManager = PageManager.from_queryset(PublicPageQuerySet)
