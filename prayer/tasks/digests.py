"""Digest tasks: the 15-minute schedule and one task per batch of deliveries.

Both are idempotent: django-q2 may run a task twice, and both tolerate it (the
dispatch finds nobody due the second time, a batch finds its rows already claimed).
"""

from prayer import digests


def send_due_digests():
    """Dispatch digests to everyone due, and pick up batches left behind by retries or crashes."""
    result = digests.dispatch()
    resumed = digests.resume_unfinished(exclude=result.issue_ids)
    return {"due": result.due, "issues": result.issues, "resumed_batches": resumed}


def send_digest_batch(issue_id, first_id, last_id):
    return digests.send_batch(issue_id, first_id, last_id)
