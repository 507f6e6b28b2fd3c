"""Page querysets for public listings."""

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Substr
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet


class PublicPageQuerySet(PageQuerySet):
    def public(self):
        """Pages with no view restriction on themselves or an ancestor.

        The same rule as Wagtail's `public()`, written as a subquery so it costs no query of
        its own: a restriction applies when its page's tree path starts this page's path.
        """
        restricted = PageViewRestriction.objects.filter(
            page__depth__lte=OuterRef("depth"),
            page__path=Substr(OuterRef("path"), 1, F("page__depth") * Page.steplen),
        )
        return self.exclude(Exists(restricted))


PublicPageManager = PageManager.from_queryset(PublicPageQuerySet)
