"""What editors change in Settings for the pages: the default calls to action (the "ways in"
under stories, the prayer wall and campaigns). The organisation's details: core.models."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import register_setting
from wagtail.fields import StreamField

from core.models import CachedSiteSetting
from website.blocks import WayInBlock


@register_setting(icon="pick")
class WaysInSettings(CachedSiteSetting):
    """The calls to action a reader meets after a story, on the prayer wall and on a campaign
    page, unless that page has calls to action of its own."""

    heading = models.CharField(
        max_length=80,
        default="Pray and take part",
        help_text="Above the calls to action, on every page that shows them.",
    )
    calls_to_action = StreamField(
        [("call_to_action", WayInBlock())],
        blank=True,
        max_num=4,
        help_text="Up to four, for example: prayer updates by email, the vigil, the prayer "
        "calendar, volunteering. A card whose page is unpublished is left out by itself.",
    )

    panels = [FieldPanel("heading"), FieldPanel("calls_to_action")]

    class Meta:
        verbose_name = "calls to action"
