"""Addresses of calendar feeds a person can follow (the volunteer feed, a prayer calendar, one's
vigil slots): absolute, from SITE_URL, and as a `webcal://` link that phones open in their
calendar app as a subscription rather than a one-off download."""

from django.conf import settings


def feed_address(path_or_url: str) -> str:
    """The feed's absolute http(s) address: a path is put under SITE_URL."""
    if path_or_url.startswith("/"):
        return f"{settings.SITE_URL}{path_or_url}"
    return path_or_url


def webcal(url: str) -> str:
    """`url` with its http or https scheme replaced by webcal; anything else unchanged."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url.removeprefix(scheme)
    return url
