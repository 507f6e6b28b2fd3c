"""What editors change in Settings: the organisation's details (every page's header and footer)
and the default calls to action (the "ways in" under stories, the prayer wall and campaigns)."""

from django.core.cache import cache
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from website.blocks import WayInBlock


class CachedSiteSetting(BaseSiteSetting):
    """A setting read on every page: cached until an editor saves it."""

    class Meta:
        abstract = True

    @classmethod
    def cache_key(cls, site_id):
        return f"vigil:{cls._meta.model_name}:{site_id}"

    @classmethod
    def for_site(cls, site):
        from core.caching import CACHE_SECONDS

        if site is None:
            return super().for_site(site)
        key = cls.cache_key(site.pk)
        found = cache.get(key)
        if found is None:
            found = super().for_site(site)
            cache.set(key, found, CACHE_SECONDS)
        return found

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.cache_key(self.site_id))

    def delete(self, *args, **kwargs):
        cache.delete(self.cache_key(self.site_id))
        return super().delete(*args, **kwargs)


@register_setting(icon="site")
class OrganisationSettings(CachedSiteSetting):
    organisation_name = models.CharField(max_length=120, default="Vigil")
    tagline = models.CharField(max_length=200, blank=True)
    donate_url = models.URLField(blank=True, help_text="Where the Give buttons lead.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(
        blank=True, help_text="The office address only. Never a safe-house address."
    )
    facebook_url = models.URLField(blank=True)
    instagram_url = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter) URL", blank=True)
    youtube_url = models.URLField(blank=True)
    linkedin_url = models.URLField(blank=True)
    x_handle = models.CharField(
        "X (Twitter) handle", max_length=40, blank=True, help_text="Without the @."
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("tagline"),
        FieldPanel("donate_url"),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("postal_address"),
            ],
            heading="Contact",
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("x_url"),
                FieldPanel("x_handle"),
                FieldPanel("youtube_url"),
                FieldPanel("linkedin_url"),
            ],
            heading="Social links",
        ),
    ]

    class Meta:
        verbose_name = "organisation"

    @property
    def social_links(self):
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("X", self.x_url),
            ("YouTube", self.youtube_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(name, url) for name, url in links if url]


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
