"""Template tags of the prayer wall."""

from django import template

from core.page_cache import live

register = template.Library()


@register.simple_tag
def prayed_count(prayer_request):
    """How many prayed, as of each time the page is served (even from the page cache)."""
    return live("prayed", prayer_request.pk, prayer_request.prayed_count)
