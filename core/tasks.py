"""Queuing work for the django-q2 cluster, and the tasks it runs for the website itself.

`enqueue` is the one way work reaches the cluster: every app and core module calls it, and
nothing else imports django_q's `async_task` (tests/test_architecture.py checks).
"""

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


def enqueue(func_path: str, *args: Any, task_name: str, **options: Any) -> None:
    """Queue `func_path(*args)` for the cluster once the current transaction commits.

    A task queued inside a transaction could otherwise run before its rows are committed,
    or for rows that were rolled back; after a rollback it is never queued. With no
    transaction open it is queued at once (`on_commit` runs the callback straight away).
    `options` go to django-q2's async_task as they are (broker, save ...).
    """
    transaction.on_commit(partial(async_task, func_path, *args, task_name=task_name, **options))


def send_templated_email(template, to, context=None, headers=None, reply_to=None):
    """Kept for the tasks queued before single emails went through the outbox: a task already
    in the broker at the upgrade still names this function. It writes the email to the
    outbox, which sends it (claimed, suppression checked, retried); new code calls
    core.emails.queue_email. The outbox row's id."""
    # Imported here: core.emails imports this module through core.outbox.
    from core.emails import queue_email

    return queue_email(template, to, context, headers=headers, reply_to=reply_to)


def publish_scheduled_pages():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)


def clear_expired_sessions():
    """Anonymous visitors get a session when a page leaves them a message (messages live in
    the session, not a readable cookie): expired ones are deleted, not kept for ever."""
    call_command("clearsessions", verbosity=0)


def record_heartbeat():
    from core.models import TaskHeartbeat

    TaskHeartbeat.objects.update_or_create(
        cluster=settings.Q_CLUSTER["name"], defaults={"beat_at": timezone.now()}
    )
