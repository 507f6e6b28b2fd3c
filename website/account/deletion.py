"""Deleting an account: the person goes, the ministry's statistics stay.

In order:
1. every app erases or anonymises what it holds for the verified addresses
   (core.privacy): future volunteer sign-ups and vigil places are given back first, so
   the waitlist and the next person get them through each app's own code;
2. in one transaction: the address leaves the suppression list unless it is actively
   suppressed (a bounce or a complaint must keep stopping mail), audit log titles that
   named it are replaced by the record's number, the task history forgets the emails sent
   to it, the deletion is logged with counts only, and the user goes with their email
   addresses and second factors (they cascade);
3. every session of the account is ended, and a confirmation is emailed through the outbox,
   whose row forgets the address once it is sent (the single emails queued to the person
   before are erased in step 1, core.outbound_privacy).

Each step can run again: if one fails, the account is still there and deleting it again
finishes the work.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django_q.models import Task
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from core.emails import queue_email
from core.mailing import normalise_email
from core.models import Suppression
from core.privacy import erase_everywhere, verified_addresses, when

logger = logging.getLogger(__name__)


def confirmation_address(user, addresses):
    """The account's address if verified, else another verified one: never an address the
    person has not shown is theirs."""
    primary = normalise_email(user.email)
    if primary in addresses:
        return primary
    return addresses[0] if addresses else None


def forget_inactive_suppressions(addresses):
    return Suppression.objects.filter(email__in=addresses, active=False).delete()[0]


def forget_in_audit_log(addresses):
    """Log entries stay (who did what, when), but not a title that spells out the address."""
    if not addresses:
        return 0
    naming = Q()
    for address in addresses:
        naming |= Q(label__icontains=address)
    return ModelLogEntry.objects.filter(naming).update(
        label=Concat(Value("Record #"), F("object_id"))
    )


def forget_task_history(addresses):
    """django-q keeps the last finished tasks with their arguments, and an email's task has
    the address among them. The history is short (`Q_CLUSTER["save_limit"]`): read it all."""
    if not addresses:
        return 0
    naming = [
        task.pk
        for task in Task.objects.only("id", "args", "kwargs").iterator()
        if any(address in repr((task.args, task.kwargs)).lower() for address in addresses)
    ]
    return Task.objects.filter(pk__in=naming).delete()[0]


def send_confirmation(recipient, now):
    """Through the outbox; its row forgets the address once the email is sent."""
    queue_email("account-deleted", recipient, {"deleted_on": when(now)}, forget_when_sent=True)


def end_sessions(user_id):
    """Sign the account out everywhere. Sessions are not indexed by user, so each live one
    is read once; deleting an account is rare."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live = Session.objects.filter(expire_date__gt=timezone.now()).iterator()
    ended = 0
    for session in live:
        if session.get_decoded().get(SESSION_KEY) == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def delete_account(user, now=None):
    """Erase the person and delete the account. Returns what was done, in counts."""
    now = now or timezone.now()
    user_id = user.pk
    addresses = verified_addresses(user)
    recipient = confirmation_address(user, addresses)
    counts = erase_everywhere(addresses, now)
    with transaction.atomic():
        counts["suppression_entries_deleted"] = forget_inactive_suppressions(addresses)
        counts["audit_log_titles_erased"] = forget_in_audit_log(addresses)
        counts["finished_tasks_forgotten"] = forget_task_history(addresses)
        log(
            user,
            "wagtail.delete",
            user=None,
            title=f"Account #{user_id} deleted",
            data={"counts": counts},
            deleted=True,
        )
        user.delete()
    counts["sessions_ended"] = end_sessions(user_id)
    if recipient:
        send_confirmation(recipient, now)
    logger.info("Account %s deleted: %s", user_id, counts)
    return counts
