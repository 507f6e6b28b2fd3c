"""Single messages through the outbox: one row is its own parent and its own delivery.

A confirmation, a reminder or a staff notification is a row of core.models.OutboundEmail,
written by core.emails.queue_email in the transaction of the change that caused it, and sent
by `send_single` once that commits. It goes through the batch's own steps in core.outbox, not
a copy: the claim with one conditional UPDATE (`claim`), the check with the provider of a
call left in doubt (`settle_calls_in_doubt`), the call recorded before it is made
(`record_call`), retries with backoff on 5xx, 429 and timeouts and FAILED after MAX_ATTEMPTS
(`record_failure`), and the suppression list; the resume schedule
(core.outbox.resume_open_sends) queues rows a dead worker left. What differs: the message is
built from the row (template, context, headers, attachments) and goes to its recipients
together, as they were addressed; an app may say at send time that it is no longer wanted
(`register_still_wanted`: a status email about a sign-up that has moved on); and
`deliverable` keeps any address a header cannot carry from the backend.

Logs carry the kind and the row's id, never addresses or tokens.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from anymail.message import AnymailMessage
from django.core.mail import get_connection
from django.db.models import QuerySet
from django.utils import timezone

from core.mailing import can_be_addressed, normalise_email, suppressed_addresses
from core.outbox import (
    CLAIM_VARIABLE,
    REJECTED,
    S,
    claim,
    error_summary,
    message_ids,
    record_call,
    record_failure,
    sendable,
    settle_calls_in_doubt,
)
from core.tasks import enqueue

logger = logging.getLogger(__name__)

_STILL_WANTED: dict[str, Callable[[str], bool]] = {}


def register_still_wanted(kind: str, check: Callable[[str], bool]) -> None:
    """An app's "may still receive" for one kind of single message, given the row's `about`
    (e.g. a status email about a sign-up that has moved on since): checked at send time,
    as a bulk kind's `Recipient.may_receive` is. Called from AppConfig.ready()."""
    _STILL_WANTED[kind] = check


def send_single(row_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one queued single email (core.models.OutboundEmail); whether it was accepted now.
    Safe to run twice, or at once: the claim, the recorded call, the check of a call in
    doubt and the retries are the batch's own (claim, settle_calls_in_doubt, record_call,
    record_failure)."""
    from core.models import OutboundEmail

    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = OutboundEmail.objects.filter(pk=row_id)
    mine = claim(rows, token, now)
    if mine is None:
        return False
    row = mine.first()
    if row is None:  # erased between the claim and here (an account deleted)
        return False
    label = f"{row.kind} {row.pk}"
    settled = settle_calls_in_doubt(mine, {row.pk: row.message_id}, now, label)
    if settled is None or settled:
        return False

    still_wanted = _STILL_WANTED.get(row.kind)
    if still_wanted is not None and not still_wanted(row.about):
        mine.update(status=S.SUPPRESSED, message_id="", last_error="No longer wanted at send time.")
        logger.info("outbox %s: no longer wanted", label)
        return False
    addresses = deliverable(row.to)
    suppressed = suppressed_addresses(addresses)
    addresses = [address for address in addresses if normalise_email(address) not in suppressed]
    if not addresses:
        mine.update(
            status=S.SUPPRESSED,
            message_id="",
            last_error="No recipient may receive it (suppressed or not a deliverable address).",
        )
        logger.info("outbox %s: suppressed", label)
        return False
    try:
        message = single_message(row, addresses, token)
    except Exception as error:  # noqa: BLE001 - a message that cannot be built never will be
        mine.update(status=S.FAILED, message_id="", last_error=error_summary(error))
        logger.error("outbox %s: could not be built: %s", label, type(error).__name__)
        return False

    record_call(mine, token)
    try:
        with get_connection() as connection:
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused:
        mine.update(status=S.FAILED, message_id="", last_error="Refused by the server.")
        return False
    except Exception as error:  # noqa: BLE001 - recorded and retried with backoff
        record_failure(rows, [row.pk], error, now)
        return False
    statuses = message_ids(message)
    if statuses and all(status in REJECTED for _, status in statuses.values()):
        mine.update(status=S.FAILED, message_id="", last_error="Rejected by the provider.")
        return False
    message_id = next((mid for mid, _ in statuses.values() if mid), "")
    sent: dict[str, Any] = {"status": S.SENT, "sent_at": timezone.now(), "message_id": message_id}
    if row.forget_when_sent:
        sent.update(to=[], context={}, headers={}, reply_to=[], attachments=[])
    mine.update(**sent)
    logger.info("outbox %s: sent", label)
    return True


def deliverable(addresses: Iterable[str]) -> list[str]:
    """The addresses a message header can carry: well formed, at most 254 characters, no
    line breaks (a header injection), an ASCII form for the domain. The others are dropped
    before anything reaches the backend."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    kept = []
    for address in addresses:
        if not isinstance(address, str) or len(address) > 254:
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        if can_be_addressed(address):
            kept.append(address)
    return kept


def single_message(row: Any, addresses: list[str], token: str) -> AnymailMessage:
    """The row's message, rendered now from its template and context (core.emails)."""
    from core.emails import build_message

    message = build_message(
        row.template,
        addresses,
        row.context,
        headers=dict(row.headers or {}),
        reply_to=deliverable(row.reply_to or []) or None,
    )
    for attachment in row.attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    # The claim is the provider-side variable a call in doubt is looked up by.
    message.metadata = {CLAIM_VARIABLE: token}
    # Builds the MIME message once: a header with a line break raises here, not mid-send.
    message.message()
    return message


def open_singles(now: datetime.datetime) -> QuerySet[Any]:
    """Single messages a dead worker left, or due for a retry: not those just queued, whose
    task is still on its way to the cluster."""
    from core.models import OutboundEmail

    settled_in = now - datetime.timedelta(seconds=SINGLE_GRACE)
    return OutboundEmail.objects.filter(sendable(now), created_at__lt=settled_in)


SINGLE_TASK = "core.single_messages.send_single"
SINGLE_GRACE = 60


def queue_single(row_id: int, kind: str) -> None:
    enqueue(SINGLE_TASK, row_id, task_name=f"email:{kind}")
