"""Signed links a subscriber follows from an email: confirm, preference centre, unsubscribe.

They take ids rather than instances so a dispatch can build 100,000 of them without a query.
"""

from core.signing import SignedLink

CONFIRM_PURPOSE = "prayer-confirm"
PREFERENCES_PURPOSE = "prayer-preferences"
UNSUBSCRIBE_PURPOSE = "prayer-unsubscribe"

CONFIRM_MAX_AGE = 7 * 24 * 60 * 60

CONFIRM = SignedLink(
    CONFIRM_PURPOSE, "digests.Subscription", "digests:subscription-confirm", max_age=CONFIRM_MAX_AGE
)
PREFERENCES = SignedLink(
    PREFERENCES_PURPOSE, "digests.Subscription", "digests:subscription-preferences"
)
UNSUBSCRIBE = SignedLink(
    UNSUBSCRIBE_PURPOSE, "digests.Subscription", "digests:subscription-unsubscribe"
)


def confirm_url(subscription_id, link_version):
    return CONFIRM.url(subscription_id, link_version)


def preferences_url(subscription_id, link_version):
    return PREFERENCES.url(subscription_id, link_version)


def unsubscribe_url(subscription_id, link_version):
    return UNSUBSCRIBE.url(subscription_id, link_version)
