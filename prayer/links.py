"""Signed links a subscriber follows from an email: confirm, preference centre, unsubscribe.

They take ids rather than instances so a dispatch can build 100,000 of them without a query.
"""

from django.conf import settings
from django.urls import reverse

from core.signing import make_token

CONFIRM_PURPOSE = "prayer-confirm"
PREFERENCES_PURPOSE = "prayer-preferences"
UNSUBSCRIBE_PURPOSE = "prayer-unsubscribe"

CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def _absolute(route, token):
    return settings.SITE_URL + reverse(route, args=[token])


def confirm_url(subscription_id, link_version):
    return _absolute(
        "prayer:subscription-confirm", make_token(CONFIRM_PURPOSE, subscription_id, link_version)
    )


def preferences_url(subscription_id, link_version):
    return _absolute(
        "prayer:subscription-preferences",
        make_token(PREFERENCES_PURPOSE, subscription_id, link_version),
    )


def unsubscribe_url(subscription_id, link_version):
    return _absolute(
        "prayer:subscription-unsubscribe",
        make_token(UNSUBSCRIBE_PURPOSE, subscription_id, link_version),
    )
