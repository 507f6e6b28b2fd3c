"""The "Pray" page: one page in the main menu that gathers every way to pray on the site."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from website.blocks import WayInBlock
from website.models.pages import SocialMetaMixin


class PrayPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("prayer",)

    intro = models.TextField(max_length=500, blank=True)
    ways = StreamField(
        [("way", WayInBlock())],
        blank=True,
        help_text="Each way to pray: the prayer wall, prayer updates by email, the prayer "
        "calendar, the vigil, sending a request. A way whose page is unpublished is left out.",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("ways")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "prayer/pray_page.html"

    class Meta:
        verbose_name = "ways to pray page"
