"""Digest tasks: the 15-minute dispatch schedule.

Idempotent: django-q2 may run it twice, and the dispatch finds nobody due the second
time. Its batches are the outbox's tasks (core/outbox.py); batches left behind by
retries or crashes are queued again by the outbox's own resume schedule.
"""

from digests import dispatching


def send_due_digests():
    """Dispatch digests to everyone due: one issue per distinct content, batches queued."""
    result = dispatching.dispatch()
    return {"due": result.due, "issues": result.issues, "batches": result.batches}
