"""What the outbox holds about a person: the single emails queued or sent to their addresses.

Registered with core.privacy like an app's privacy module. A queued email holds the address
and the context it is rendered from (names, signed links), so account deletion erases it: a
row addressed to the person alone is deleted (an email not yet sent is not sent), and the
address leaves a row it shared (a staff notification to several coordinators). The export
lists them without their context, which may hold signed links. Rows that are done are
deleted after RETENTION_SENT_EMAIL_DAYS in any case (`forget_sent_emails`).
"""

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.mailing import normalise_email

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30


def _rows_naming(addresses: Sequence[str]) -> list[Any]:
    """The rows with one of `addresses` among their recipients (matched exactly, any case)."""
    from django.db.models import Q

    from core.models import OutboundEmail

    wanted = {normalise_email(address) for address in addresses}
    if not wanted:
        return []
    rows = OutboundEmail.objects.only("id", "to", "kind", "status", "created_at", "sent_at")
    if all(address.isascii() for address in wanted):
        # A cheap first cut in SQL; the JSON text of a non-ASCII address is escaped.
        naming = Q()
        for address in wanted:
            naming |= Q(to__icontains=address)
        rows = rows.filter(naming)
    return [
        row
        for row in rows.order_by("created_at", "pk").iterator()
        if any(normalise_email(str(to)) in wanted for to in row.to)
    ]


def attach(user: Any, addresses: Sequence[str]) -> dict[str, int]:
    return {}


def sections(addresses: Sequence[str], request: Any) -> list[Any]:
    return []


def export(addresses: Sequence[str]) -> dict[str, list[Any]]:
    return {
        "emails_to_you": [
            {
                "email": row.kind,
                "status": row.get_status_display(),
                "queued_at": row.created_at,
                "sent_at": row.sent_at,
            }
            for row in _rows_naming(addresses)
        ]
    }


def erase(addresses: Sequence[str], now: datetime.datetime) -> dict[str, int]:
    from core.models import OutboundEmail

    wanted = {normalise_email(address) for address in addresses}
    deleted = shared = 0
    with transaction.atomic():
        for row in _rows_naming(addresses):
            others = [to for to in row.to if normalise_email(str(to)) not in wanted]
            if others:
                OutboundEmail.objects.filter(pk=row.pk).update(to=others)
                shared += 1
            else:
                deleted += OutboundEmail.objects.filter(pk=row.pk).delete()[0]
    return {"queued_emails_deleted": deleted, "shared_emails_left": shared}


def retention_days() -> int:
    return getattr(settings, "RETENTION_SENT_EMAIL_DAYS", DEFAULT_RETENTION_DAYS)


def forget_sent_emails(now: datetime.datetime | None = None) -> int:
    """Daily: single emails that are done (sent, failed or suppressed) are deleted after the
    retention period, with the addresses and context they held."""
    from core.models import OutboundEmail

    S = OutboundEmail.Status
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _ = OutboundEmail.objects.filter(
        status__in=(S.SENT, S.FAILED, S.SUPPRESSED), created_at__lt=cutoff
    ).delete()
    logger.info("Forgot %d sent emails", deleted)
    return deleted
