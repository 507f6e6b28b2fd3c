"""What every page shows and editors rarely change: cached, and forgotten when they change it.

With several processes the cache must be shared (Redis, `REDIS_URL`) for a change to show at
once everywhere; with the local-memory cache other processes catch up within `CACHE_SECONDS`.
"""

from django.core.cache import cache
from django.db import transaction
from django.http.request import split_domain_port
from wagtail.models import Site

CACHE_SECONDS = 300
SITES_KEY = "vigil:sites"
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
    forget_sites()


def forget_menus_for_pages(sender, instance=None, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) or instance is None:
        forget_menus()


def all_sites():
    """Every Wagtail Site with its root page (the table has a row per hostname: a handful).

    The root page is kept in its specific type, which Wagtail asks for on every request to
    route from it (`site.root_page.specific.route(...)`), and marked `from_site_cache`: it is
    a copy for finding pages below it (its tree position), and a page type that serves
    itself from it should load itself afresh (website's HomePage does).
    """
    sites = cache.get(SITES_KEY)
    if sites is None:
        sites = list(Site.objects.select_related("root_page"))
        for site in sites:
            site.root_page = site.root_page.specific
            site.root_page.from_site_cache = True
        cache.set(SITES_KEY, sites, CACHE_SECONDS)
    return sites


def site_for_hostname(hostname, port):
    """The Site that answers `hostname` and `port`, or None: Wagtail's own rule
    (wagtail.models.sites.get_site_for_hostname), applied to the cached list of Sites.

    The exact hostname and port first, then the hostname on the default Site, then the
    default Site, unless it is the only other candidate beside exactly one hostname match.
    One cache entry whatever Host a request sends: the header picks among known Sites only.
    """
    ranked = []
    for site in all_sites():
        if site.hostname == hostname and site.port == port:
            ranked.append((0, site))
        elif site.hostname == hostname and site.is_default_site:
            ranked.append((1, site))
        elif site.is_default_site:
            ranked.append((2, site))
        elif site.hostname == hostname:
            ranked.append((3, site))
    if not ranked:
        return None
    ranked.sort(key=lambda pair: pair[0])
    if len(ranked) == 1 or ranked[0][0] in (0, 1):
        return ranked[0][1]
    return ranked[len(ranked) == 2][1]  # default first: one hostname match wins over it


def site_for_request(request):
    """Wagtail's Site for `request` (Site.find_for_request), from the cached list."""
    hostname = split_domain_port(request._get_raw_host())[0]
    return site_for_hostname(hostname, request.get_port())


def forget_sites(**kwargs):
    """Called when a Site is saved or deleted, and with the menus (its root page changed):
    now, and again on commit, in case another request cached the old rows in between."""
    cache.delete(SITES_KEY)
    transaction.on_commit(lambda: cache.delete(SITES_KEY))
