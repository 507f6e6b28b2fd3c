"""What every page shows and editors rarely change: cached, and forgotten when they change it.

With several processes the cache must be shared (Redis, `REDIS_URL`) for a change to show at
once everywhere; with the local-memory cache other processes catch up within `CACHE_SECONDS`.
"""

from django.core.cache import cache
from wagtail.models import Site

CACHE_SECONDS = 300
MENU_FIELDS = ("id", "title", "path", "depth", "url_path", "live", "show_in_menus")


def menu_key(site_id):
    return f"vigil:menu:{site_id}"


def menu_items(site, request):
    """The live, in-menu children of the site's root page: title, tree path and URL."""
    key = menu_key(site.pk)
    items = cache.get(key)
    if items is None:
        children = site.root_page.get_children().live().in_menu().only(*MENU_FIELDS)
        items = [
            {"title": child.title, "path": child.path, "url": child.get_url(request)}
            for child in children
        ]
        cache.set(key, items, CACHE_SECONDS)
    return items


def forget_menus(**kwargs):
    """Called when pages are published, unpublished, moved or deleted."""
    cache.delete_many([menu_key(pk) for pk in Site.objects.values_list("pk", flat=True)])


def forget_menus_for_pages(sender, instance=None, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) or instance is None:
        forget_menus()
