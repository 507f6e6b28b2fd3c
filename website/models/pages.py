"""The home page and plain standard pages."""

from django.db import models
from django.http import Http404
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from website.blocks import StoryBodyBlock, WayInBlock
from website.consent.images import shown


class SocialMetaMixin:
    """What a page shares on social networks (OpenGraph and Twitter cards)."""

    def get_social_image(self):
        image = getattr(self, "hero_image", None)
        return image if shown(image) else None

    def get_social_description(self):
        return self.search_description or getattr(self, "intro", "") or ""


def parent_url(url):
    """The URL of the page above the page at `url` (a page URL, relative or absolute): its
    last part off. Page URLs end with a slash (Wagtail's WAGTAIL_APPEND_SLASH, left on)."""
    return url.rstrip("/").rsplit("/", 1)[0] + "/"


def own_calls_to_action():
    """The field of a page that shows the site's calls to action (Settings → Calls to action) at
    its foot, unless an editor gives it calls to action of its own here."""
    return StreamField(
        [("call_to_action", WayInBlock())],
        blank=True,
        max_num=4,
        help_text="Leave empty to show the site's calls to action (Settings → Calls to action).",
    )


class HomePage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ()

    hero_heading = models.CharField(max_length=120)
    hero_text = models.TextField(max_length=400, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_button_label = models.CharField(max_length=40, blank=True)
    hero_button_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured_campaign = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A campaign shown below the hero while it runs.",
    )
    calls_to_action = StreamField(
        [("call_to_action", WayInBlock())],
        blank=True,
        max_num=3,
        help_text="Up to three: pray, volunteer, give. Leave empty to show the site's calls to "
        "action (Settings → Calls to action).",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_button_label"),
                PageChooserPanel("hero_button_page"),
            ],
            heading="Hero",
        ),
        PageChooserPanel("featured_campaign", "campaigns.CampaignPage"),
        FieldPanel("calls_to_action"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    template = "website/home_page.html"

    class Meta:
        verbose_name = "home page"

    def get_social_description(self):
        return self.search_description or self.hero_text

    def route(self, request, path_components):
        """Find the page at a path below the home page in one lookup of the pages along the
        path, not two queries per level; each of them knows its parent (Wagtail's walk does
        the same), so showing the parent costs no query either.

        Paths that no page has, such as a routable page's own sub-routes, go through Wagtail's
        walk, so every page type keeps its own routing.

        Wagtail routes from the site's root page, which may be the copy kept with the cached
        list of Sites (core/caching.py): good for finding pages below it, but the home page
        itself is shown from the database, and is no page's loaded parent.
        """
        cached_copy = getattr(self, "from_site_cache", False)
        if not path_components and cached_copy:
            page = type(self).objects.filter(pk=self.pk).first()
            if page is None or not page.live:
                raise Http404
            return RouteResult(page)
        if path_components:
            url_paths = [
                self.url_path + "/".join(path_components[: level + 1]) + "/"
                for level in range(len(path_components))
            ]
            found = {
                page.url_path: page
                for page in Page.objects.filter(
                    path__startswith=self.path,
                    depth__gt=self.depth,
                    depth__lte=self.depth + len(path_components),
                    url_path__in=url_paths,
                )
            }
            if len(found) == len(url_paths):
                parent = None if cached_copy else self
                for url_path in url_paths:
                    page = found[url_path]
                    if parent is not None:
                        page._cached_parent_obj = parent  # treebeard's get_parent reads it
                    parent = page
                return page.specific.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from website.models.news import StoryPage

        context = super().get_context(request, *args, **kwargs)
        latest = list(StoryPage.objects.for_listing()[:3])
        context["latest_stories"] = latest
        # Their index, for "All stories": the parent of a story, whose URL is the story's
        # without its last part, so no query for the parent.
        context["stories_url"] = parent_url(latest[0].get_url(request)) if latest else None
        self._load_chosen_pages()
        context["featured_campaign"] = self._featured_campaign()
        return context

    def _load_chosen_pages(self):
        """The button's page and the featured page, in one query rather than one each."""
        fields = [HomePage.hero_button_page.field, HomePage.featured_campaign.field]
        wanted = {field.value_from_object(self) for field in fields} - {None}
        if not wanted or all(field.is_cached(self) for field in fields):
            return
        pages = Page.objects.in_bulk(wanted)
        for field in fields:
            field.set_cached_value(self, pages.get(field.value_from_object(self)))

    def _featured_campaign(self):
        if not self.featured_campaign_id:
            return None
        # The page's own type, from its content type (cached): the editorial app does not
        # import the campaigns app, which builds on it.
        chosen = self.featured_campaign
        if chosen is None or chosen.specific_class is None:
            return None
        return (
            chosen.specific_class.objects.live()
            .public()
            .select_related("hero_image")
            .filter(pk=self.featured_campaign_id)
            .first()
        )


class StandardPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ()

    intro = models.TextField(max_length=500, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(StoryBodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    template = "website/standard_page.html"

    class Meta:
        verbose_name = "standard page"
