"""Template tags for the public site: the main menu, calls to action, absolute URLs, pagination
and embeds."""

from django import template
from django.template.defaulttags import querystring
from wagtail.models import Site

from core import calendar_links
from core.caching import menu_items

register = template.Library()


@register.inclusion_tag("website/includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The live, in-menu children of the current site's root page, cached until they change."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {"items": []}
    current = context.get("page") or context.get("self")
    current_path = getattr(current, "path", "") or ""
    items = [
        {**item, "current": current_path.startswith(item["path"])}
        for item in menu_items(site, request)
    ]
    return {"items": items}


@register.simple_tag(takes_context=True)
def calls_to_action(context, page=None):
    """The page's own calls to action, or else the site's (Settings → Calls to action), each
    one whose target is gone left out."""
    from website.models import WaysInSettings

    request = context.get("request")
    stream = getattr(page, "calls_to_action", None)
    if not stream and request is not None:
        stream = WaysInSettings.for_request(request).calls_to_action
    return calls_to_action_in(context, stream)


@register.simple_tag(takes_context=True)
def calls_to_action_in(context, stream):
    """The call to action blocks of ``stream`` whose page, form or URL is still there."""
    request = context.get("request")
    return [child for child in stream or [] if child.block.target_url(child.value, request)]


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """`url` made absolute against the current request (an absolute URL is left alone).

    Without a request (an email rendered by a task) a relative URL cannot be made absolute: "".
    """
    request = context.get("request")
    if not url:
        return ""
    if request is None:
        return url if "://" in url else ""
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's own full URL, or the current path without its query string."""
    page = context.get("page")
    full_url = getattr(page, "full_url", None) if page is not None else None
    if full_url:
        return full_url
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request is not None else ""


@register.simple_tag
def page_numbers(page_obj):
    """Page numbers to link to, with `…` for the gaps: 1 … 4 5 6 … 20."""
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    )


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """`{% querystring page=number %}`, without the filters a listing left out (`listing_query`)."""
    query = context.get("listing_query")
    return querystring(context, query, page=number)


@register.filter
def webcal(url):
    """The `webcal://` form of a calendar feed's address (core/calendar_links.py)."""
    return calendar_links.webcal(str(url))


@register.filter
def embed_shape(embed):
    """A CSS modifier for an embed's aspect ratio, so no inline style is needed."""
    ratio = getattr(embed, "ratio", None)
    if not ratio:
        return "wide"
    shapes = {"wide": 9 / 16, "standard": 3 / 4, "square": 1.0, "tall": 16 / 9}
    return min(shapes, key=lambda name: abs(shapes[name] - ratio))
