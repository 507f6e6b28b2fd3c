"""A centre or programme of the ministry: where it works (city only), what it offers, its impact."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from website.blocks import ImpactFigureBlock, ProgrammeBlock, StoryBodyBlock
from website.consent.images import visible_images
from website.models.pages import SocialMetaMixin


class MinistryPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ()

    intro = models.TextField(max_length=500, blank=True)
    city = models.CharField(
        max_length=80,
        help_text="The city only. Never a street or a safe-house address.",
    )
    country = models.CharField(max_length=80)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(StoryBodyBlock(), blank=True)
    programmes = StreamField([("programme", ProgrammeBlock())], blank=True)
    impact_figures = StreamField([("figure", ImpactFigureBlock())], blank=True, max_num=6)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("city"), FieldPanel("country")], heading="Location"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        FieldPanel("programmes"),
        FieldPanel("impact_figures"),
        InlinePanel("gallery_images", label="Photo gallery"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("city"),
        index.SearchField("country"),
    ]
    parent_page_types = ["website.HomePage", "website.StandardPage"]
    subpage_types: list[str] = []
    template = "website/ministry_page.html"

    class Meta:
        verbose_name = "ministry page"

    @property
    def location(self):
        return f"{self.city}, {self.country}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A photo whose consent has ended leaves with its caption (website/consent/images.py).
        context["gallery"] = visible_images(
            self.gallery_images.select_related("image").prefetch_related("image__renditions")
        )
        return context


class MinistryGalleryImage(Orderable):
    page = ParentalKey(MinistryPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]
