"""The one place that decides who may receive bulk mail, and the headers bulk mail carries."""

from django.conf import settings

SOFT_BOUNCE_LIMIT = 3


def normalise_email(email):
    return (email or "").strip().lower()


def suppressed_addresses(emails):
    """The subset of `emails` on the active suppression list (one query per call)."""
    from website.models import Suppression

    wanted = {normalise_email(e) for e in emails}
    if not wanted:
        return set()
    return set(
        Suppression.objects.active().filter(email__in=wanted).values_list("email", flat=True)
    )


def may_receive_bulk(email):
    return not suppressed_addresses([email])


def unsubscribe_headers(unsubscribe_url):
    """RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe with these."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def absolute(path):
    return settings.SITE_URL + path
