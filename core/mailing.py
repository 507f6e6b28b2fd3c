"""The one place that decides who may receive bulk mail, and the headers bulk mail carries."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail.message import sanitize_address

SOFT_BOUNCE_LIMIT = 3

# How many recipients one provider call may carry (anymail does not split batches).
PROVIDER_BATCH_LIMITS = {
    "mailgun": 1000,
    "sendgrid": 1000,
    "postmark": 500,
    "amazon_ses": 50,
}
DEFAULT_BATCH_LIMIT = 500

# Backends that send one message to many recipients with per-recipient merge data,
# using Mailgun's %recipient.key% syntax in the body. Every other backend gets one
# message per recipient, built from the same rendered body by string substitution.
MERGE_BACKENDS = {
    "anymail.backends.mailgun.EmailBackend",
    "anymail.backends.test.EmailBackend",
}


def batch_limit() -> int:
    """Recipients per provider call for the configured email backend."""
    backend: str = settings.EMAIL_BACKEND
    for provider, limit in PROVIDER_BATCH_LIMITS.items():
        if f".{provider}." in backend:
            return limit
    return DEFAULT_BATCH_LIMIT


def merges_recipients() -> bool:
    """Whether one message with merge data can go to a whole batch."""
    return settings.EMAIL_BACKEND in MERGE_BACKENDS


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def suppressed_addresses(emails: Iterable[str]) -> set[str]:
    """The subset of `emails` on the active suppression list (one query per call)."""
    from core.models import Suppression

    wanted = {normalise_email(e) for e in emails}
    if not wanted:
        return set()
    return set(
        Suppression.objects.active().filter(email__in=wanted).values_list("email", flat=True)
    )


def can_be_addressed(email: str) -> bool:
    """Whether a message header can carry `email`. Django's validator accepts some domains
    with no ASCII (IDNA) form, e.g. with U+FFFD in them, and sending to them always fails."""
    try:
        sanitize_address(email, settings.DEFAULT_CHARSET)
    except (UnicodeError, ValueError):
        return False
    return True


def may_receive_bulk(email: str) -> bool:
    return not suppressed_addresses([email])


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients offer one-click unsubscribe with these."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
