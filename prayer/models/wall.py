"""The prayer wall: a page listing the requests everyone may pray for."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from website.models.pages import SocialMetaMixin


class PrayerWallPage(RoutablePageMixin, SocialMetaMixin, Page):
    intro = models.TextField(max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    max_count = 1
    template = "prayer/prayer_wall_page.html"

    class Meta:
        verbose_name = "prayer wall"
