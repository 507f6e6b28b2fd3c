"""Campaign pages: the index, and a campaign with its registration window and resource kit.

The registration form, the thank-you page and the public list of churches are routes of
the campaign page itself (RoutablePageMixin), so they live under the page's own URL.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from core.routing import RouteViews
from website.blocks import StoryBodyBlock
from website.models.pages import SocialMetaMixin, own_calls_to_action
from website.models.querysets import PublicPageManager


class CampaignIndexPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("campaigns",)

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


class CampaignPage(CachedPage, RestrictionsFromRequest, RoutablePageMixin, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("campaigns",)

    # The routes' views, bound by the app's ready() (core/routing.py).
    route_views = RouteViews()

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty for a single day.")
    summary = models.TextField(max_length=500)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(StoryBodyBlock(), blank=True)
    calls_to_action = own_calls_to_action()
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to open registration as soon as published."
    )
    registration_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Leave empty to keep registration open until the campaign starts.",
    )
    goal_churches = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many churches you hope will take part."
    )
    prayer_topic = models.ForeignKey(
        "prayer.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The prayer topic churches are invited to pray for.",
    )

    objects = PublicPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading="Dates"),
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel("goal_churches"),
            ],
            heading="Church registration",
        ),
        HelpPanel(
            content="<p>The resource kit (documents and video links sent to every church "
            "that registers) is kept under <b>Campaigns → Resource kits</b>, so download "
            "counts stay attached to each resource whatever happens to page drafts.</p>",
            heading="Resource kit",
        ),
        FieldPanel("prayer_topic"),
        FieldPanel("calls_to_action"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["campaigns.CampaignIndexPage"]
    subpage_types: list[str] = []
    template = "campaigns/campaign_page.html"

    class Meta:
        verbose_name = "campaign page"

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The campaign cannot end before it starts."})
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            raise ValidationError(
                {"registration_closes_at": "Registration must close after it opens."}
            )

    def get_social_description(self):
        return self.search_description or self.summary

    # Registration window ------------------------------------------------------------

    def registration_closes(self):
        """When registration closes: the set time, or the start of the campaign's first day."""
        if self.registration_closes_at:
            return self.registration_closes_at
        return timezone.make_aware(datetime.datetime.combine(self.start_date, datetime.time()))

    def registration_state(self, now=None):
        """'open', 'not_yet' or 'closed'."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        if now >= self.registration_closes():
            return "closed"
        return "open"

    def registration_is_open(self, now=None):
        return self.registration_state(now) == "open"

    # Routes: the page, the form's POST, the thank-you page, the public list ----------

    def related_stories(self):
        from website.models import StoryPage

        return (
            StoryPage.objects.live()
            .public()
            .filter(related_campaign=self)
            .order_by("-first_published_at")[:3]
        )

    @path("", name="campaign")
    def campaign(self, request):
        return self.route_views["campaign"](self, request)

    @path("register/", name="register")
    def register(self, request):
        return self.route_views["register"](self, request)

    @path("thank-you/", name="thanks")
    def thanks(self, request):
        return self.route_views["thanks"](self, request)

    @path("churches/", name="churches")
    def churches(self, request):
        return self.route_views["churches"](self, request)


class CampaignResource(models.Model):
    """One item of the resource kit: a document from the library or an external video."""

    campaign = models.ForeignKey(CampaignPage, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=300, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(
        "external link", blank=True, help_text="A video, for example. Used when no document."
    )

    sort_order = models.PositiveSmallIntegerField(
        default=0, help_text="Resources are listed from the lowest number up."
    )

    panels = [
        FieldPanel("campaign", widget=forms.Select),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("document"),
        FieldPanel("url"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = "resource"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if bool(self.document_id) == bool(self.url):
            raise ValidationError("Choose a document or give an external link (one of the two).")

    @property
    def kind(self):
        return "document" if self.document_id else "link"

    def target_url(self):
        """Where a tracked download sends the church."""
        if self.document_id and self.document:
            return self.document.url
        return self.url
