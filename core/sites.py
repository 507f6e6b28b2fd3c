"""One hostname: Wagtail's default Site follows SITE_URL.

Wagtail builds page URLs from its Site record (sitemap, canonical and og:url, story and
calendar feed items, page links in emails and calendar files); everything else comes from
SITE_URL. Wagtail's first migration creates the Site as localhost:80, so unless the two agree
half of the absolute URLs point at http://localhost/. SITE_URL decides: the default Site takes
its hostname and port after every `migrate` (so also after SITE_URL changes, e.g. a new
domain), in the demo and in the tests' build_site. A SITE_URL that no Wagtail Site can
express is an error at start (a system check).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)


def site_address(site_url):
    """(hostname, port) of the Wagtail Site whose root URL is `site_url`, else ValueError.

    Wagtail's Site.root_url is http:// on any port but 443, https:// on 443 only, and has no path.
    """
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or ":" in parts.hostname:
        raise ValueError("SITE_URL must look like https://host or http://host:port")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username:
        raise ValueError("SITE_URL must be the site's origin alone, with no path or query")
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if https != (port == 443):
        raise ValueError("A Wagtail site is https:// on port 443 only, and http:// elsewhere")
    return parts.hostname, port


def align_default_site(using=DEFAULT_DB_ALIAS):
    """Give the default Site SITE_URL's hostname and port; True if it changed."""
    from wagtail.models import Site

    hostname, port = site_address(settings.SITE_URL)
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    old_root_url = site.root_url
    site.hostname, site.port = hostname, port
    site.save(using=using, update_fields=["hostname", "port"])
    logger.info("The default site moved from %s to %s (SITE_URL)", old_root_url, site.root_url)
    return True


def align_default_site_after_migrate(using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate: the default Site follows SITE_URL, at install and after every change."""
    from wagtail.models import Site

    if Site._meta.db_table not in connections[using].introspection.table_names():
        return  # a partial migrate that stopped before Wagtail's tables
    try:
        site_address(settings.SITE_URL)
    except ValueError:
        return  # check_site_url reports it
    align_default_site(using)


def check_site_url(app_configs, **kwargs):
    try:
        site_address(settings.SITE_URL)
    except ValueError as error:
        return [
            checks.Error(
                f"SITE_URL={settings.SITE_URL!r}: {error}.",
                hint="Page links come from a Wagtail Site, which must match SITE_URL.",
                id="core.E001",
            )
        ]
    return []
