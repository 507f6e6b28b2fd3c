"""Shared labels: regions (snippets) and story tags."""

from django.db import models
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Region(index.Indexed, models.Model):
    """Where a story happens or a prayer request comes from (a country or a district)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StoryTag(TaggedItemBase):
    content_object = ParentalKey(
        "website.StoryPage", on_delete=models.CASCADE, related_name="tagged_items"
    )
