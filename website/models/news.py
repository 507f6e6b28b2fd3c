"""News and stories: the index with filters and pages, and each story."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalManyToManyField
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.images.models import Rendition
from wagtail.models import Page, PageManager
from wagtail.search import index

from core import page_cache
from core.filters import ListingFilters
from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from website.blocks import StoryBodyBlock
from website.consent.panels import ConsentPanel
from website.models.pages import SocialMetaMixin, own_calls_to_action
from website.models.querysets import PublicPageQuerySet
from website.models.taxonomy import Region

# The renditions a story card shows (templates/website/includes/story_card.html): a listing
# prefetches these and no others. A card asking for a size not listed here would make Wagtail
# look for (or make) it once per card, which the query budget test catches.
CARD_IMAGE_SPECS = ("fill-400x225", "fill-800x450")


class StoryQuerySet(PublicPageQuerySet):
    def for_listing(self):
        """Published public stories, newest first, with what a listing card shows and nothing
        more: the card's renditions only, and no story body (a card never shows it).

        Both prefetches land in plain lists (`to_attr`), not in related managers, which
        Django (and modelcluster, for the regions) would build anew for every story: the
        regions in `listing_regions`, the renditions where Wagtail's image tags look for
        them first (`prefetched_renditions`, as Wagtail's own `prefetch_renditions` does).
        """
        renditions = Rendition.objects.filter(filter_spec__in=CARD_IMAGE_SPECS)
        return (
            self.live()
            .public()
            .defer_streamfields()
            .select_related("hero_image")
            .prefetch_related(
                Prefetch("hero_image__renditions", renditions, to_attr="prefetched_renditions"),
                Prefetch("regions", Region.objects.all(), to_attr="listing_regions"),
            )
            .order_by("-date", "-first_published_at", "-pk")
        )


# Not a default select_related("hero_image"): Wagtail and treebeard narrow the default
# manager's querysets with only() (deleting a page), which a join on a deferred field refuses.
# Listings ask for the image themselves (for_listing).
StoryManager = PageManager.from_queryset(StoryQuerySet)


class NewsIndexPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ()

    intro = models.TextField(max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["website.StoryPage"]
    template = "website/news_index_page.html"

    class Meta:
        verbose_name = "news index page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        published = StoryPage.objects.child_of(self).for_listing()
        stories = published
        regions = list(Region.objects.filter(pk__in=published.values("regions")))
        filters = ListingFilters(request.GET, items="stories")
        tag = filters.choose("tag", lambda slug: Tag.objects.filter(slug=slug).first())
        region = filters.choose(
            "region", lambda slug: next((r for r in regions if r.slug == slug), None)
        )
        if tag:
            stories = stories.filter(tags=tag)
        if region:
            stories = stories.filter(regions=region)
        context["stories"] = paginate(stories, request.GET.get("page"))
        page_cache.declare(
            request,
            params=("tag", "region", "page"),
            canonical=not filters.ignored
            and page_cache.given_as_is(request, "page", context["stories"].number),
        )
        context["active_tag"] = tag
        context["active_region"] = region
        context["regions"] = regions
        context.update(filters.context())
        return context


def paginate(queryset, page_number):
    """The asked-for page; the first for nonsense, the last when past the end."""
    paginator = Paginator(queryset, settings.NEWS_PAGE_SIZE)
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


class StoryPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ()

    date = models.DateField("story date", default=timezone.localdate)
    author = models.CharField(max_length=120, blank=True)
    intro = models.TextField(max_length=500, help_text="One or two sentences shown in listings.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(StoryBodyBlock())
    calls_to_action = own_calls_to_action()
    tags = ClusterTaggableManager(through="website.StoryTag", blank=True)
    regions = ParentalManyToManyField(Region, blank=True, related_name="stories")
    related_campaign = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    names_changed = models.BooleanField(
        "names have been changed",
        default=True,
        help_text="Shows a notice that names have been changed to protect privacy.",
    )

    objects = StoryManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author"), FieldPanel("names_changed")],
            heading="About this story",
        ),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("tags"),
                FieldPanel("regions"),
                PageChooserPanel("related_campaign", "campaigns.CampaignPage"),
            ],
            heading="Related",
        ),
        FieldPanel("calls_to_action"),
        ConsentPanel(heading="Consent of the people in this story"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]
    parent_page_types = ["website.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "website/story_page.html"

    class Meta:
        verbose_name = "story"
        verbose_name_plural = "stories"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["story_tags"] = list(self.tags.all())
        context["story_regions"] = list(self.regions.all())
        context["related_campaign"] = self._related_campaign()
        return context

    def _related_campaign(self):
        if not self.related_campaign_id:
            return None
        return Page.objects.live().public().filter(pk=self.related_campaign_id).first()
