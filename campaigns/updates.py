"""Sending a campaign update to every registered contact who agreed, exactly once each.

prayer/digests.py's approach, simplified for one body per update:

1. `start_sending` claims the update itself with a conditional UPDATE (``sent_at`` still
   empty), so a double click or two coordinators at once start one send only.
2. `create_deliveries_and_queue` writes one UpdateDelivery per recipient (unique per
   update and contact: a rerun adds nothing) and queues batches of delivery ids.
3. `send_batch` claims its pending rows with one conditional UPDATE, drops suppressed and
   withdrawn addresses, makes ONE provider call with per-recipient merge data and
   List-Unsubscribe headers, and marks the rows sent. A batch run twice, or at the same
   time, sends each row once: the second run claims nothing.

Logs carry ids and counts, never addresses.
"""

import html
import logging
import re
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_q.tasks import async_task
from wagtail.rich_text import expand_db_html

from campaigns import links
from campaigns.models import CampaignUpdate, RegistrationContact, UpdateDelivery
from core.emails import email_context
from core.mailing import (
    absolute,
    batch_limit,
    merges_recipients,
    suppressed_addresses,
    unsubscribe_headers,
)

logger = logging.getLogger(__name__)

MAX_BATCH = 500
MAX_ATTEMPTS = 5
STALE_CLAIM_SECONDS = 600  # longer than Q_CLUSTER's task timeout (300 s)
TEST_PREFIX = "[Test] "
D = UpdateDelivery.Status


def recipients(campaign_id):
    """Contacts who agreed to updates and have not withdrawn."""
    return RegistrationContact.objects.filter(
        campaign_id=campaign_id, consents_to_updates=True, unsubscribed_at__isnull=True
    )


def placeholder(key):
    """Mailgun's merge syntax; replaced per recipient where the backend cannot merge."""
    return f"%recipient.{key}%"


def batch_size():
    return min(MAX_BATCH, batch_limit())


# ---------------------------------------------------------------------------
# Rendering


def absolute_links(body_html):
    """Rich text links to pages are site-relative; in an email they must be absolute."""
    return re.sub(r'href="/(?!/)', f'href="{settings.SITE_URL}/', body_html)


def rich_text_as_plain(body_html):
    text = re.sub(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", body_html, flags=re.S)
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</(p|h2|h3|li|ul|ol)>|<br\s*/?>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_update(update, unsubscribe_url=None, test=False, shared=None):
    """(subject, text, html). Without `unsubscribe_url`, a merge placeholder stands in."""
    body_html = absolute_links(expand_db_html(update.body))
    campaign = update.campaign
    context = {
        **(email_context({}) if shared is None else shared),
        "update": update,
        "campaign": campaign.title,
        "campaign_url": absolute(campaign.url or "/"),
        "body_html": body_html,
        "body_text": rich_text_as_plain(body_html),
        "unsubscribe_url": unsubscribe_url or placeholder("unsubscribe_url"),
        "test": test,
    }
    subject = " ".join(render_to_string("emails/campaigns-update-subject.txt", context).split())
    if test:
        subject = TEST_PREFIX + subject
    text = render_to_string("emails/campaigns-update-body.txt", context)
    body = render_to_string("emails/campaigns-update-body.html", context)
    return subject, text, body


def send_test(update_id, email):
    """One copy to a coordinator, marked as a test; its unsubscribe link goes nowhere."""
    update = CampaignUpdate.objects.select_related("campaign").get(pk=update_id)
    subject, text, body = render_update(update, unsubscribe_url=absolute("/"), test=True)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(body, "text/html")
    message.send()


# ---------------------------------------------------------------------------
# Starting a send


def start_sending(update, user, now=None):
    """Claim the update for sending; True for the one caller that wins."""
    now = now or timezone.now()
    claimed = CampaignUpdate.objects.filter(pk=update.pk, sent_at__isnull=True).update(
        sent_at=now, sent_by=user, status=CampaignUpdate.Status.SENDING
    )
    if not claimed:
        return False
    logger.info("Campaign update %s: sending started", update.pk)
    async_task("campaigns.tasks.start_update", update.pk, task_name=f"campaign-update:{update.pk}")
    return True


def create_deliveries_and_queue(update_id):
    update = CampaignUpdate.objects.filter(
        pk=update_id, status=CampaignUpdate.Status.SENDING
    ).first()
    if update is None:
        return 0
    contact_ids = list(recipients(update.campaign_id).values_list("id", flat=True))
    UpdateDelivery.objects.bulk_create(
        (UpdateDelivery(update_id=update_id, contact_id=i) for i in contact_ids),
        batch_size=500,
        ignore_conflicts=True,
    )
    queued = queue_batches(update_id)
    finish_if_done(update_id)
    return queued


def _sendable(now):
    stale = now - timezone.timedelta(seconds=STALE_CLAIM_SECONDS)
    return Q(status=D.PENDING) | Q(status=D.CLAIMED, claimed_at__lt=stale)


def queue_batches(update_id, now=None):
    """Queue one task per batch of sendable rows, as id ranges."""
    now = now or timezone.now()
    ids = list(
        UpdateDelivery.objects.filter(_sendable(now), update_id=update_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    size = batch_size()
    batches = [ids[start : start + size] for start in range(0, len(ids), size)]
    for batch in batches:
        async_task(
            "campaigns.tasks.send_update_batch",
            update_id,
            batch[0],
            batch[-1],
            task_name=f"campaign-update-batch:{update_id}:{batch[0]}",
        )
    return len(batches)


def resume_unfinished(now=None):
    now = now or timezone.now()
    queued = 0
    sending = CampaignUpdate.objects.filter(status=CampaignUpdate.Status.SENDING)
    for update_id in sending.values_list("id", flat=True):
        if not finish_if_done(update_id, now):
            queued += queue_batches(update_id, now)
    return queued


def finish_if_done(update_id, now=None):
    open_rows = UpdateDelivery.objects.filter(
        update_id=update_id, status__in=[D.PENDING, D.CLAIMED]
    )
    if open_rows.exists():
        return False
    CampaignUpdate.objects.filter(pk=update_id, status=CampaignUpdate.Status.SENDING).update(
        status=CampaignUpdate.Status.SENT, finished_at=now or timezone.now()
    )
    return True


# ---------------------------------------------------------------------------
# Sending one batch


def _messages(update, rows, merge):
    """One merge message for the batch, or one message per recipient."""
    subject, text, body = render_update(update)
    unsubscribe = {email: links.unsubscribe_url(contact_id, v) for _, email, contact_id, v in rows}
    if merge:
        message = EmailMultiAlternatives(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            to=list(unsubscribe),
            headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        message.attach_alternative(body, "text/html")
        # Always set merge_data: without it every recipient would see every address.
        message.merge_data = {email: {"unsubscribe_url": url} for email, url in unsubscribe.items()}
        message.merge_headers = {
            email: {"List-Unsubscribe": f"<{url}>"} for email, url in unsubscribe.items()
        }
        return [message]
    messages = []
    for email, url in unsubscribe.items():
        key = placeholder("unsubscribe_url")
        message = EmailMultiAlternatives(
            subject,
            text.replace(key, url),
            settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers=unsubscribe_headers(url),
        )
        message.attach_alternative(body.replace(key, url), "text/html")
        messages.append(message)
    return messages


def _message_ids(messages):
    ids = {}
    for message in messages:
        status = getattr(message, "anymail_status", None)
        for email, recipient in (getattr(status, "recipients", None) or {}).items():
            ids[email.lower()] = (str(recipient.message_id or ""), recipient.status)
    return ids


def send_batch(update_id, first_id, last_id, now=None):
    """Send one batch of an update's deliveries. Safe to run twice, or at the same time."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = UpdateDelivery.objects.filter(update_id=update_id, id__gte=first_id, id__lte=last_id)
    claimed = rows.filter(_sendable(now)).update(
        status=D.CLAIMED, claim_token=token, claimed_at=now
    )
    if not claimed:
        finish_if_done(update_id, now)
        return 0
    mine = rows.filter(status=D.CLAIMED, claim_token=token)
    claimed_rows = list(
        mine.values_list(
            "id",
            "contact__email",
            "contact_id",
            "contact__link_version",
            "contact__consents_to_updates",
            "contact__unsubscribed_at",
        )
    )
    suppressed = suppressed_addresses([row[1] for row in claimed_rows])
    skipped = [
        row[0]
        for row in claimed_rows
        if row[1].lower() in suppressed or not row[4] or row[5] is not None
    ]
    if skipped:
        mine.filter(id__in=skipped).update(
            status=D.SUPPRESSED, last_error="Suppressed or withdrawn at send time."
        )
    to_send = [row[:4] for row in claimed_rows if row[0] not in set(skipped)]
    if not to_send:
        finish_if_done(update_id, now)
        return 0
    update = CampaignUpdate.objects.select_related("campaign").get(pk=update_id)
    send_ids = [row[0] for row in to_send]
    messages = _messages(update, to_send, merges_recipients())
    mine.filter(id__in=send_ids).update(attempts=F("attempts") + 1)
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception as error:  # noqa: BLE001 - any provider failure is recorded and retried
        summary = type(error).__name__[:300]
        logger.warning(
            "Campaign update %s batch failed (%s rows): %s", update_id, len(send_ids), summary
        )
        attempted = mine.filter(id__in=send_ids)
        attempted.filter(attempts__gte=MAX_ATTEMPTS).update(status=D.FAILED, last_error=summary)
        attempted.filter(attempts__lt=MAX_ATTEMPTS).update(
            status=D.PENDING, claim_token="", last_error=summary
        )
        finish_if_done(update_id, now)
        return 0
    ids = _message_ids(messages)
    sent_at = timezone.now()
    failed = []
    by_message_id = defaultdict(list)
    for row_id, email, *_ in to_send:
        message_id, status = ids.get(email.lower(), ("", "sent"))
        if status in ("rejected", "invalid", "failed"):
            failed.append(row_id)
        else:
            by_message_id[message_id[:200]].append(row_id)
    for message_id, row_ids in by_message_id.items():
        mine.filter(id__in=row_ids).update(status=D.SENT, sent_at=sent_at, message_id=message_id)
    if failed:
        mine.filter(id__in=failed).update(status=D.FAILED, last_error="Rejected by the provider.")
    finish_if_done(update_id, now)
    logger.info("Campaign update %s: batch sent to %s", update_id, len(send_ids) - len(failed))
    return len(send_ids) - len(failed)


def with_counts(queryset):
    """One query for a page of updates and all their delivery counts."""
    return queryset.annotate(
        recipient_count=Count("deliveries"),
        sent_count=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
        suppressed_count=Count("deliveries", filter=Q(deliveries__status=D.SUPPRESSED)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
    )
