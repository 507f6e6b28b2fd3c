"""The one sender for every message: delivery rows claimed, sent once, resumed after a crash.

Every bulk message (a digest issue, a campaign update, a vigil organisers' message, a shift
message) is a *parent* with one delivery row per recipient, unique per (parent, recipient).
An app describes its message as a `MessageKind` and registers it from its
AppConfig.ready(); this module never imports the apps. The hard parts live here once:

- `send_batch` claims a range of rows with ONE conditional UPDATE, so a batch run twice, or
  by two workers at once, sends each row once;
- the suppression list and the kind's own "may still receive" are checked at send time;
- the provider call is recorded on the rows ("call:<token>") BEFORE it is made; a claim
  left in doubt by a killed worker is checked with the provider (Mailgun's events API,
  by the ``outbox_claim`` variable every batch carries) before anything is sent again;
- backends without merge data get one message per recipient over one connection, and
  each row is marked sent right after its own message is accepted, so a killed worker
  can repeat at most the one message in flight;
- 5xx, 429, timeouts and connection errors retry with backoff, a permanent 4xx fails at
  once, rows fail after MAX_ATTEMPTS; rejected recipients fail;
- `resume_open_sends` (one schedule) re-queues the open batches of every kind, so a
  killed cluster's work finishes without a human.

Single messages (a confirmation, a reminder, a staff notification) go through the same steps
(`claim`, `settle_calls_in_doubt`, `record_call`, `record_failure`), each row its own parent
and its own delivery: core/single_messages.py.

Logs carry ids, kinds and counts only, never addresses or tokens.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.mailing import (
    batch_limit,
    merges_recipients,
    suppressed_addresses,
    unsubscribe_headers,
)
from core.tasks import enqueue

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BACKOFF = datetime.timedelta(minutes=5)
# A claim older than this belongs to a worker that died. It must outlive Q_CLUSTER's task
# timeout (300 s), so a batch still being sent is never claimed twice.
DEFAULT_CLAIM_TIMEOUT = 600
# Marks a row whose provider call has started under the claim token that follows.
CALL_PREFIX = "call:"
# The provider-side variable that names a batch's claim, for every kind.
CLAIM_VARIABLE = "outbox_claim"
BATCH_TASK = "core.outbox.send_batch"
SINGLE_RESUME_LIMIT = 1000
ONE_CLICK = "List-Unsubscribe-Post"


class Delivery(models.Model):
    """One recipient's copy of one bulk message. Claimed before sending, marked sent after."""

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


S = Delivery.Status
OPEN = (S.PENDING, S.CLAIMED)


@dataclasses.dataclass(frozen=True)
class Recipient:
    """One claimed row as the kind sees it at send time."""

    row_id: int
    email: str
    # The kind's own "may still receive" (still subscribed, still on the shift ...).
    may_receive: bool = True
    # Values for %recipient.<key>% in the rendered body (merge data on merge backends).
    merge: dict[str, str] = dataclasses.field(default_factory=dict)
    # Per-recipient List-Unsubscribe target; empty: the message carries none.
    unsubscribe_url: str = ""


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class MessageKind:
    """What an app tells the outbox about one kind of bulk message."""

    name: ClassVar[str]
    # The concrete Delivery subclass and the name of its foreign key to the parent.
    model: type[Delivery]
    parent_field: ClassVar[str]

    def batch_size(self) -> int:
        return batch_limit()

    def recipients(self, rows: QuerySet[Any]) -> list[Recipient]:
        """The claimed rows, with address, merge values and whether they may still receive."""
        raise NotImplementedError

    def render(self, parent_id: int) -> Rendered:
        """The message with %recipient.<key>% placeholders: rendered once per parent."""
        raise NotImplementedError

    def create_deliveries(self, parent_id: int) -> int:
        """Write a row for everyone the message goes to; rerun-safe (unique rows)."""
        return 0

    def write_deliveries(
        self, parent_id: int, recipient_field: str, recipients: Iterable[tuple[int, str]]
    ) -> int:
        """A row per (recipient id, address) whose address is not suppressed; rerun-safe, as
        rows are unique per parent and recipient. The number of rows wanted."""
        recipients = list(recipients)
        suppressed = suppressed_addresses([email for _, email in recipients])
        wanted = [pk for pk, email in recipients if email.lower() not in suppressed]
        self.model._default_manager.bulk_create(
            (
                self.model(**{f"{self.parent_field}_id": parent_id, f"{recipient_field}_id": pk})
                for pk in wanted
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
        return len(wanted)

    def sending(self) -> Iterable[int]:
        """Ids of parents whose send has started and not finished."""
        raise NotImplementedError

    def finish(self, parent_id: int, now: datetime.datetime) -> None:
        """Every row is done: mark the parent sent (a conditional UPDATE)."""
        raise NotImplementedError

    def rows(self, parent_id: int) -> QuerySet[Any]:
        return self.model._default_manager.filter(**{f"{self.parent_field}_id": parent_id})


_KINDS: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> None:
    """Called from an app's AppConfig.ready(); registering a name again replaces it."""
    _KINDS[kind.name] = kind


def get_kind(name: str) -> MessageKind:
    return _KINDS[name]


def registered_kinds() -> dict[str, MessageKind]:
    return dict(_KINDS)


def claim_timeout() -> int:
    """Seconds before a claim is stale; OUTBOX_CLAIM_TIMEOUT overrides it (benchmarks)."""
    try:
        return max(1, int(os.environ.get("OUTBOX_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT)))
    except ValueError:
        return DEFAULT_CLAIM_TIMEOUT


def sendable(now: datetime.datetime) -> Q:
    """Rows a batch may claim: due ones, and claims of workers that died."""
    stale = now - datetime.timedelta(seconds=claim_timeout())
    return Q(status=S.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | Q(status=S.CLAIMED, claimed_at__lt=stale)


# ---------------------------------------------------------------------------
# Starting, queuing, finishing, resuming


def start(name: str, parent_id: int) -> int:
    """Create the parent's delivery rows (once) and queue its batches; rows created."""
    kind = get_kind(name)
    created = 0
    with transaction.atomic():
        if not kind.rows(parent_id).exists():
            created = kind.create_deliveries(parent_id)
    queue_batches(name, parent_id)
    finish_if_done(name, parent_id)
    return created


def batch_ranges(
    name: str, parent_id: int, now: datetime.datetime | None = None
) -> list[tuple[int, int]]:
    """(first row id, last row id) of each batch of the parent's sendable rows."""
    kind = get_kind(name)
    limit = kind.batch_size()
    ids = (
        kind.rows(parent_id)
        .filter(sendable(now or timezone.now()))
        .order_by("id")
        .values_list("id", flat=True)
    )
    batches: list[list[int]] = []
    for row_id in ids.iterator(chunk_size=10_000):
        if batches and batches[-1][2] < limit:
            batches[-1][1] = row_id
            batches[-1][2] += 1
        else:
            batches.append([row_id, row_id, 1])
    return [(first, last) for first, last, _ in batches]


def queue_batches(name: str, parent_id: int, now: datetime.datetime | None = None) -> int:
    """Queue one task per batch of sendable rows (a range of row ids, not a list), once the
    current transaction commits."""
    batches = batch_ranges(name, parent_id, now)
    for first_id, last_id in batches:
        enqueue(
            BATCH_TASK,
            name,
            parent_id,
            first_id,
            last_id,
            task_name=f"outbox:{name}:{parent_id}:{first_id}",
        )
    return len(batches)


def finish_if_done(name: str, parent_id: int, now: datetime.datetime | None = None) -> bool:
    kind = get_kind(name)
    if kind.rows(parent_id).filter(status__in=OPEN).exists():
        return False
    kind.finish(parent_id, now or timezone.now())
    return True


def resume_open_sends(now: datetime.datetime | None = None) -> int:
    """Scheduled: queue the batches of every kind left by a dead worker or due for a retry.

    A parent whose send started but has no rows (its worker died before writing them) is
    started again. Single messages left open are queued again, at most SINGLE_RESUME_LIMIT
    a run (the rest on the next). Queuing a batch or a message that is already queued is
    harmless: the second run claims nothing.
    """
    now = now or timezone.now()
    queued = 0
    for name, kind in registered_kinds().items():
        for parent_id in list(kind.sending()):
            if not kind.rows(parent_id).exists():
                start(name, parent_id)
            elif not finish_if_done(name, parent_id, now):
                queued += queue_batches(name, parent_id, now)
    from core.single_messages import open_singles, queue_single

    singles = 0
    for row_id, kind in open_singles(now).values_list("id", "kind")[:SINGLE_RESUME_LIMIT]:
        queue_single(row_id, kind)
        singles += 1
    if queued or singles:
        logger.info("outbox: resumed %s batches and %s single messages", queued, singles)
    return queued + singles


# ---------------------------------------------------------------------------
# Asking the provider about a claim in doubt


class ProviderLookupFailed(Exception):
    """The provider could have told, but did not answer: ask again later, send nothing."""


def provider_accepted_claims(tokens: Sequence[str]) -> set[str] | None:
    """The claim tokens the provider says it accepted, or None if it cannot tell.

    For Mailgun, the events API filtered by the ``outbox_claim`` variable every merge batch
    carries. Other providers cannot be asked, so their rows are sent again (at least once
    rather than at most once).
    """
    if ".mailgun." not in settings.EMAIL_BACKEND or not tokens:
        return None
    import requests

    anymail = getattr(settings, "ANYMAIL", {})
    api_url = anymail.get("MAILGUN_API_URL", "https://api.mailgun.net/v3").rstrip("/")
    domain = anymail.get("MAILGUN_SENDER_DOMAIN") or settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[
        -1
    ].rstrip(">")
    accepted = set()
    try:
        for token in tokens:
            params: dict[str, str | int] = {
                "event": "accepted",
                "user-variables": json.dumps({CLAIM_VARIABLE: token}),
                "limit": 1,
            }
            response = requests.get(
                f"{api_url}/{domain}/events",
                params=params,
                auth=("api", anymail.get("MAILGUN_API_KEY", "")),
                timeout=10,
            )
            response.raise_for_status()
            if response.json().get("items"):
                accepted.add(token)
    except (requests.RequestException, ValueError) as error:
        raise ProviderLookupFailed(type(error).__name__) from error
    return accepted


# ---------------------------------------------------------------------------
# Building the messages


def placeholder(key: str) -> str:
    """Mailgun's merge syntax; replaced per recipient where the backend cannot merge."""
    return f"%recipient.{key}%"


def merge_message(rendered: Rendered, recipients: list[Recipient], token: str) -> AnymailMessage:
    """One message for the whole batch, personalised by the provider from merge data."""
    headers = {}
    for recipient in recipients:
        if recipient.unsubscribe_url:
            personal = unsubscribe_headers(recipient.unsubscribe_url)
            # The one-click header is the same for everyone: sent once, not per recipient.
            del personal[ONE_CLICK]
            headers[recipient.email] = personal
    message = AnymailMessage(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email for recipient in recipients],
        headers={ONE_CLICK: "List-Unsubscribe=One-Click"} if headers else {},
    )
    message.attach_alternative(rendered.html, "text/html")
    # Always set merge_data: without it every recipient would see every address.
    message.merge_data = {recipient.email: dict(recipient.merge) for recipient in recipients}
    if headers:
        message.merge_headers = headers
    message.metadata = {CLAIM_VARIABLE: token}
    return message


def personal_message(rendered: Rendered, recipient: Recipient) -> EmailMultiAlternatives:
    """One recipient's message, the placeholders filled in here."""
    text, html = rendered.text, rendered.html
    for key, value in recipient.merge.items():
        text = text.replace(placeholder(key), value)
        html = html.replace(placeholder(key), value)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=unsubscribe_headers(recipient.unsubscribe_url) if recipient.unsubscribe_url else {},
    )
    message.attach_alternative(html, "text/html")
    return message


def message_ids(message: EmailMultiAlternatives) -> dict[str, tuple[str, str]]:
    """{email: (provider message id, status)} from anymail's status (empty for others)."""
    ids = {}
    status = getattr(message, "anymail_status", None)
    for email, recipient in (getattr(status, "recipients", None) or {}).items():
        message_id = "" if recipient.message_id is None else str(recipient.message_id)
        ids[email.lower()] = (message_id[:200], recipient.status)
    return ids


# ---------------------------------------------------------------------------
# Sending one batch


def _mark(rows: QuerySet[Any], ids: Iterable[int], **fields: Any) -> None:
    ids = list(ids)
    if ids:
        rows.filter(id__in=ids).update(**fields)


# The steps every send shares, bulk batch or single message.


def claim(rows: QuerySet[Any], token: str, now: datetime.datetime) -> QuerySet[Any] | None:
    """Claim the sendable rows among `rows` with ONE conditional UPDATE; the claimed rows, or
    None if there were none. Two workers claiming at once each get a disjoint set of rows
    (the row lock makes the second re-check the WHERE)."""
    if not rows.filter(sendable(now)).update(status=S.CLAIMED, claim_token=token, claimed_at=now):
        return None
    return rows.filter(claim_token=token, status=S.CLAIMED)


def settle_calls_in_doubt(
    mine: QuerySet[Any], calls: dict[int, str], now: datetime.datetime, label: str
) -> set[int] | None:
    """Rows whose earlier provider call is in doubt (a worker died after recording it) are
    marked sent if the provider says it accepted that call; the ids so marked. None if the
    provider could tell but did not answer: the rows stay claimed, the claim goes stale and
    the next resume asks again (sending now could send twice)."""
    in_doubt: dict[str, list[int]] = defaultdict(list)
    for row_id, message_id in calls.items():
        if message_id.startswith(CALL_PREFIX):
            in_doubt[message_id.removeprefix(CALL_PREFIX)].append(row_id)
    already_sent: set[int] = set()
    if not in_doubt:
        return already_sent
    try:
        accepted = provider_accepted_claims(list(in_doubt)) or set()
    except ProviderLookupFailed as error:
        logger.warning("outbox %s: provider lookup failed (%s)", label, error)
        return None
    for old_token in accepted:
        already_sent.update(in_doubt[old_token])
        _mark(
            mine,
            in_doubt[old_token],
            status=S.SENT,
            sent_at=now,
            message_id=f"accepted:{old_token}"[:200],
        )
    return already_sent


def record_call(rows: QuerySet[Any], token: str) -> None:
    """Written just before the provider call: if the worker dies between the call and marking
    the rows, they stay claimed with this token, and whoever claims them after the stale
    timeout asks the provider whether it was accepted before sending again."""
    rows.update(attempts=F("attempts") + 1, message_id=f"{CALL_PREFIX}{token}", last_error="")


def send_batch(
    name: str, parent_id: int, first_id: int, last_id: int, now: datetime.datetime | None = None
) -> int:
    """Send one batch of a parent's rows; the number accepted. Safe to run twice, or at once."""
    kind = get_kind(name)
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = kind.rows(parent_id).filter(id__gte=first_id, id__lte=last_id)
    mine = claim(rows, token, now)
    if mine is None:
        finish_if_done(name, parent_id, now)
        return 0
    calls = dict(mine.values_list("id", "message_id"))
    already_sent = settle_calls_in_doubt(mine, calls, now, f"{name} {parent_id}")
    if already_sent is None:
        return 0

    candidates = [r for r in kind.recipients(mine) if r.row_id not in already_sent]
    suppressed = suppressed_addresses([r.email for r in candidates])
    skipped = {r.row_id for r in candidates if not r.may_receive or r.email.lower() in suppressed}
    _mark(
        mine,
        skipped,
        status=S.SUPPRESSED,
        message_id="",
        last_error="Suppressed or no longer a recipient at send time.",
    )
    to_send = [r for r in candidates if r.row_id not in skipped]
    if not to_send:
        finish_if_done(name, parent_id, now)
        return 0

    rendered = kind.render(parent_id)
    send_ids = [r.row_id for r in to_send]
    # Record the provider call just before making it (see record_call).
    whole_claim = len(send_ids) == len(calls)
    record_call(mine if whole_claim else mine.filter(id__in=send_ids), token)
    if merges_recipients():
        accepted_count = _send_merged(mine, rendered, to_send, token, whole_claim, now)
    else:
        accepted_count = _send_one_by_one(mine, rendered, to_send, now)
    finish_if_done(name, parent_id, now)
    logger.info(
        "outbox %s %s: batch of %s, %s accepted", name, parent_id, len(send_ids), accepted_count
    )
    return accepted_count


def _send_merged(
    mine: QuerySet[Any],
    rendered: Rendered,
    to_send: list[Recipient],
    token: str,
    whole_claim: bool,
    now: datetime.datetime,
) -> int:
    """ONE provider call for the batch; rows marked by the provider's answer."""
    send_ids = [r.row_id for r in to_send]
    message = merge_message(rendered, to_send, token)
    try:
        with get_connection() as connection:
            connection.send_messages([message])
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        record_failure(mine, send_ids, error, now)
        return 0
    ids = message_ids(message)
    by_message_id: dict[str, list[int]] = defaultdict(list)
    failed = []
    for r in to_send:
        message_id, status = ids.get(r.email.lower(), ("", "sent"))
        if status in REJECTED:
            failed.append(r.row_id)
        else:
            by_message_id[message_id].append(r.row_id)
    sent_at = timezone.now()
    if whole_claim and not failed and len(by_message_id) == 1:
        # The usual case with batch providers: one message id for the whole batch.
        [message_id] = by_message_id
        mine.update(status=S.SENT, sent_at=sent_at, message_id=message_id)
    else:
        for message_id, row_ids in by_message_id.items():
            _mark(mine, row_ids, status=S.SENT, sent_at=sent_at, message_id=message_id)
    _mark(mine, failed, status=S.FAILED, message_id="", last_error="Rejected by the provider.")
    return len(send_ids) - len(failed)


def _send_one_by_one(
    mine: QuerySet[Any], rendered: Rendered, to_send: list[Recipient], now: datetime.datetime
) -> int:
    """One message per recipient over one connection, each row marked as soon as it is
    accepted: a worker killed mid-batch repeats at most the one message in flight."""
    accepted = 0
    with get_connection() as connection:
        for position, recipient in enumerate(to_send):
            message = personal_message(rendered, recipient)
            try:
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused:
                _mark(
                    mine,
                    [recipient.row_id],
                    status=S.FAILED,
                    message_id="",
                    last_error="Refused by the server.",
                )
                continue
            except Exception as error:  # noqa: BLE001 - the rest of the batch retries later
                record_failure(mine, [r.row_id for r in to_send[position:]], error, now)
                return accepted
            message_id, status = message_ids(message).get(recipient.email.lower(), ("", "sent"))
            if status in REJECTED:
                _mark(
                    mine,
                    [recipient.row_id],
                    status=S.FAILED,
                    message_id="",
                    last_error="Rejected by the provider.",
                )
            else:
                _mark(
                    mine,
                    [recipient.row_id],
                    status=S.SENT,
                    sent_at=timezone.now(),
                    message_id=message_id,
                )
                accepted += 1
    return accepted


def _is_retryable(error: Exception) -> bool:
    status = getattr(error, "status_code", None)
    return status is None or status == 429 or status >= 500


def error_summary(error: Exception) -> str:
    """What went wrong, without the provider's response text (it may quote addresses)."""
    status = getattr(error, "status_code", None)
    summary = type(error).__name__
    if status:
        summary += f": HTTP {status}"
    return summary[:300]


def record_failure(
    rows: QuerySet[Any], ids: list[int], error: Exception, now: datetime.datetime
) -> None:
    """Retry later with backoff, or give up after MAX_ATTEMPTS (at once on a permanent 4xx)."""
    summary = error_summary(error)
    logger.warning("outbox batch failed (%s rows): %s", len(ids), summary)
    attempted = rows.filter(id__in=ids)
    failed = {"status": S.FAILED, "message_id": "", "last_error": summary}
    if not _is_retryable(error):
        attempted.update(**failed)
        return
    attempted.filter(attempts__gte=MAX_ATTEMPTS).update(**failed)
    for attempts in range(1, MAX_ATTEMPTS):
        attempted.filter(attempts=attempts).update(
            status=S.PENDING,
            message_id="",
            claim_token="",
            last_error=summary,
            next_attempt_at=now + RETRY_BACKOFF * 2 ** (attempts - 1),
        )


REJECTED = ("rejected", "invalid", "failed")
