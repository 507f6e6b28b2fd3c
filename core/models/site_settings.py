"""The organisation's details editors change in Settings: every page's header and footer and
every email's signature read them, so the infrastructure (core.emails) owns them."""

from django.core.cache import cache
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from core.caching import CACHE_SECONDS


class CachedSiteSetting(BaseSiteSetting):
    """A setting read on every page: cached until an editor saves it."""

    class Meta:
        abstract = True

    @classmethod
    def cache_key(cls, site_id):
        return f"vigil:{cls._meta.model_name}:{site_id}"

    @classmethod
    def for_site(cls, site):
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
        # Moved from website without touching the database (core/migrations/0001).
        db_table = "website_organisationsettings"

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
