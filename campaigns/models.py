"""Campaign pages. Registration, resource kits and updates come with the campaigns issue."""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from website.blocks import StoryBodyBlock
from website.models.pages import SocialMetaMixin
from website.models.querysets import PublicPageManager


class CampaignIndexPage(SocialMetaMixin, Page):
    intro = models.TextField(max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["campaigns.CampaignPage"]
    template = "campaigns/campaign_index_page.html"

    class Meta:
        verbose_name = "campaign index page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campaigns"] = (
            CampaignPage.objects.child_of(self)
            .live()
            .public()
            .select_related("hero_image")
            .prefetch_related("hero_image__renditions")
            .order_by("-start_date")
        )
        return context


class CampaignPage(SocialMetaMixin, Page):
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty for a single day.")
    summary = models.TextField(max_length=500)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(StoryBodyBlock(), blank=True)

    objects = PublicPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading="Dates"),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types = []
    template = "campaigns/campaign_page.html"

    class Meta:
        verbose_name = "campaign page"

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The campaign cannot end before it starts."})

    def get_social_description(self):
        return self.search_description or self.summary
