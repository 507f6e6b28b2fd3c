"""Sending one batch of an issue's deliveries: one claim, one provider call, bulk marks.

``send_batch`` claims its rows with one conditional UPDATE, records the provider call,
makes ONE provider call with per-recipient merge data and headers, and marks the rows
sent in bulk. No query runs once per recipient. A worker killed after the provider call
leaves its rows claimed with the call recorded; whoever claims them next asks the
provider (Mailgun's events API) whether that call was accepted before sending again.
"""

import datetime
import json
import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.utils import timezone

from core.mailing import merges_recipients, suppressed_addresses, unsubscribe_headers
from prayer.digests.batch_links import LinkMaker
from prayer.digests.content import placeholder
from prayer.digests.rows import finish_if_done, sendable
from prayer.models import DigestDelivery, DigestIssue, Subscription

logger = logging.getLogger(__name__)

MERGE_KEYS = ("unsubscribe_url", "preferences_url")
MAX_ATTEMPTS = 5
RETRY_BACKOFF = datetime.timedelta(minutes=5)
# Marks a row whose provider call has started under the claim token that follows.
CALL_PREFIX = "call:"


def _is_retryable(error):
    status = getattr(error, "status_code", None)
    return status is None or status == 429 or status >= 500


def _error_summary(error):
    """What went wrong, without the provider's response text (it may quote addresses)."""
    status = getattr(error, "status_code", None)
    summary = type(error).__name__
    if status:
        summary += f": HTTP {status}"
    return summary[:300]


class ProviderLookupFailed(Exception):
    """The provider could have told, but did not answer: ask again later, send nothing."""


def provider_accepted_claims(tokens):
    """The claim tokens the provider says it accepted, or None if it cannot tell.

    A worker killed after its provider call but before marking rows sent leaves them
    claimed with the call recorded. Before sending them again we ask the provider: for
    Mailgun, the events API filtered by the ``digest_claim`` variable we send with
    each batch. Other providers cannot be asked, so those rows are sent again
    (at least once rather than at most once).
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
            response = requests.get(
                f"{api_url}/{domain}/events",
                params={
                    "event": "accepted",
                    "user-variables": json.dumps({"digest_claim": token}),
                    "limit": 1,
                },
                auth=("api", anymail.get("MAILGUN_API_KEY", "")),
                timeout=10,
            )
            response.raise_for_status()
            if response.json().get("items"):
                accepted.add(token)
    except (requests.RequestException, ValueError) as error:
        raise ProviderLookupFailed(type(error).__name__) from error
    return accepted


def _build_messages(issue, recipients, token, merge):
    """One message for the whole batch, or one per recipient for backends without merge."""
    headers = {}
    data = {}
    maker = LinkMaker()
    for email, subscription_id, link_version in recipients:
        unsubscribe = maker.url("unsubscribe_url", subscription_id, link_version)
        data[email] = {
            "unsubscribe_url": unsubscribe,
            "preferences_url": maker.url("preferences_url", subscription_id, link_version),
        }
        headers[email] = unsubscribe_headers(unsubscribe)
    if merge:
        # The one-click header is the same for everyone: sent once, not per recipient,
        # which keeps a 1,000-recipient request about a fifth smaller.
        one_click = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        for values in headers.values():
            del values["List-Unsubscribe-Post"]
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=issue.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(data),
            headers=one_click,
        )
        message.attach_alternative(issue.body_html, "text/html")
        # Always set merge_data: without it every recipient would see every address.
        message.merge_data = data
        message.merge_headers = headers
        message.metadata = {"digest_claim": token}
        return [message]
    messages = []
    for email, values in data.items():
        text, html = issue.body_text, issue.body_html
        for key in MERGE_KEYS:
            text = text.replace(placeholder(key), values[key])
            html = html.replace(placeholder(key), values[key])
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers=headers[email],
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def _message_ids(messages):
    """{email: provider message id} from anymail's status (empty for other backends)."""
    ids = {}
    for message in messages:
        status = getattr(message, "anymail_status", None)
        recipients = getattr(status, "recipients", None) or {}
        for email, recipient in recipients.items():
            message_id = "" if recipient.message_id is None else str(recipient.message_id)
            ids[email.lower()] = (message_id, recipient.status)
    return ids


def _mark(rows_qs, ids, **fields):
    if ids:
        rows_qs.filter(id__in=ids).update(**fields)


def send_batch(issue_id, first_id, last_id, now=None):
    """Send one batch of an issue's deliveries. Safe to run twice, or at the same time."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = DigestDelivery.objects.filter(issue_id=issue_id, id__gte=first_id, id__lte=last_id)
    # The claim: one conditional UPDATE. Two workers running this batch at once each
    # get a disjoint set of rows (the row lock makes the second re-check the WHERE).
    claimed = rows.filter(sendable(now)).update(
        status=DigestDelivery.Status.CLAIMED, claim_token=token, claimed_at=now
    )
    if not claimed:
        finish_if_done(issue_id, now)
        return 0
    mine = rows.filter(claim_token=token, status=DigestDelivery.Status.CLAIMED)
    claimed_rows = list(
        mine.values_list(
            "id",
            "message_id",
            "subscription__email",
            "subscription_id",
            "subscription__link_version",
            "subscription__status",
        )
    )
    issue = DigestIssue.objects.get(pk=issue_id)

    # Rows whose earlier provider call is in doubt (the worker died after recording it).
    in_doubt = {}
    for row in claimed_rows:
        if row[1].startswith(CALL_PREFIX):
            in_doubt.setdefault(row[1][len(CALL_PREFIX) :], []).append(row[0])
    already_sent = set()
    if in_doubt:
        try:
            accepted = provider_accepted_claims(list(in_doubt)) or set()
        except ProviderLookupFailed as error:
            # Leave every row of this claim claimed: the claim goes stale again and
            # the next tick asks again. Sending now could send twice.
            logger.warning("digest batch: provider lookup failed (%s); retrying later", error)
            return 0
        for old_token in accepted:
            already_sent.update(in_doubt[old_token])
            _mark(
                mine,
                in_doubt[old_token],
                status=DigestDelivery.Status.SENT,
                sent_at=now,
                message_id=f"accepted:{old_token}"[:200],
            )

    candidates = [row for row in claimed_rows if row[0] not in already_sent]
    inactive = [row[0] for row in candidates if row[5] != Subscription.Status.ACTIVE]
    suppressed = suppressed_addresses([row[2] for row in candidates])
    suppressed_ids = [row[0] for row in candidates if row[2].lower() in suppressed]
    _mark(
        mine,
        inactive + suppressed_ids,
        status=DigestDelivery.Status.SUPPRESSED,
        last_error="Suppressed or no longer subscribed at send time.",
    )
    skipped = set(inactive) | set(suppressed_ids)
    to_send = [row for row in candidates if row[0] not in skipped]
    if not to_send:
        finish_if_done(issue_id, now)
        return 0

    send_ids = [row[0] for row in to_send]
    merge = merges_recipients()
    messages = _build_messages(issue, [(row[2], row[3], row[4]) for row in to_send], token, merge)
    # Record the provider call just before making it. If this worker dies between the
    # call and marking the rows sent, the rows stay claimed with this token; whoever
    # claims them after the stale timeout asks the provider whether this token was
    # accepted (provider_accepted_claims) before sending again. Where the provider
    # cannot be asked, they are sent again: the window between the provider accepting
    # the call and the UPDATE below is the remaining at-least-once gap there.
    whole_claim = len(send_ids) == len(claimed_rows)
    (mine if whole_claim else mine.filter(id__in=send_ids)).update(
        attempts=F("attempts") + 1, message_id=f"{CALL_PREFIX}{token}", last_error=""
    )
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        _record_failure(mine, send_ids, error, now)
        finish_if_done(issue_id, now)
        return 0

    ids = _message_ids(messages)
    by_message_id = defaultdict(list)
    failed = []
    for row in to_send:
        message_id, status = ids.get(row[2].lower(), ("", "sent"))
        if status in ("rejected", "invalid", "failed"):
            failed.append(row[0])
        else:
            by_message_id[message_id[:200]].append(row[0])
    sent_at = timezone.now()
    if whole_claim and not failed and len(by_message_id) == 1:
        # The usual case with batch providers: one message id for the whole batch.
        [message_id] = by_message_id
        mine.update(status=DigestDelivery.Status.SENT, sent_at=sent_at, message_id=message_id)
        by_message_id = {}
    for message_id, delivery_ids in by_message_id.items():
        _mark(
            mine,
            delivery_ids,
            status=DigestDelivery.Status.SENT,
            sent_at=sent_at,
            message_id=message_id,
        )
    _mark(
        mine,
        failed,
        status=DigestDelivery.Status.FAILED,
        message_id="",
        last_error="Rejected by the provider.",
    )
    finish_if_done(issue_id, now)
    return len(to_send) - len(failed)


def _record_failure(rows, ids, error, now):
    """Retry later with backoff, or give up after MAX_ATTEMPTS; never log addresses."""
    summary = _error_summary(error)
    logger.warning("digest batch failed (%s rows): %s", len(ids), summary)
    attempted = rows.filter(id__in=ids)
    if not _is_retryable(error):
        attempted.update(status=DigestDelivery.Status.FAILED, message_id="", last_error=summary)
        return
    attempted.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DigestDelivery.Status.FAILED, message_id="", last_error=summary
    )
    for attempts in range(1, MAX_ATTEMPTS):
        attempted.filter(attempts=attempts).update(
            status=DigestDelivery.Status.PENDING,
            message_id="",
            claim_token="",
            last_error=summary,
            next_attempt_at=now + RETRY_BACKOFF * 2 ** (attempts - 1),
        )
