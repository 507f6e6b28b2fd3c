"""The states of delivery rows that both the dispatch and the batch sender look at."""

import datetime
import os

from django.db.models import Q

from prayer.models import DigestDelivery, DigestIssue

# A claim older than this belongs to a worker that died. It must outlive Q_CLUSTER's
# task timeout (300 s), so a batch still being sent is never claimed twice.
DEFAULT_CLAIM_TIMEOUT = 600


def claim_timeout():
    """Seconds before a claim is stale; DIGEST_CLAIM_TIMEOUT overrides it (benchmarks)."""
    try:
        return max(1, int(os.environ.get("DIGEST_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT)))
    except ValueError:
        return DEFAULT_CLAIM_TIMEOUT


def sendable(now):
    """Rows a batch may claim: due ones, and claims of workers that died."""
    stale = now - datetime.timedelta(seconds=claim_timeout())
    return Q(status=DigestDelivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | Q(status=DigestDelivery.Status.CLAIMED, claimed_at__lt=stale)


def finish_if_done(issue_id, now):
    open_rows = DigestDelivery.objects.filter(
        issue_id=issue_id,
        status__in=[DigestDelivery.Status.PENDING, DigestDelivery.Status.CLAIMED],
    )
    if not open_rows.exists():
        DigestIssue.objects.filter(pk=issue_id, status=DigestIssue.Status.SENDING).update(
            status=DigestIssue.Status.DONE, finished_at=now
        )
