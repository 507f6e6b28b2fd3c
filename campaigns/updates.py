"""Sending a campaign update to every registered contact who agreed, exactly once each.

1. `start_sending` claims the update itself with a conditional UPDATE (``sent_at`` still
   empty), so a double click or two coordinators at once start one send only.
2. `create_deliveries_and_queue` hands the update to the outbox (website/outbox.py): one
   UpdateDelivery per recipient (unique per update and contact: a rerun adds nothing), then
   batches queued. The outbox claims, checks suppression and consent at send time, sends
   with per-recipient merge data and List-Unsubscribe headers, retries and resumes;
   campaigns/messages.py tells it what an update is.

Logs carry ids and counts, never addresses.
"""

import html
import logging
import re

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.rich_text import expand_db_html

from campaigns.models import CampaignUpdate, RegistrationContact, UpdateDelivery
from core import outbox
from core.emails import email_context, queue_email
from core.mailing import (
    absolute,
    batch_limit,
)
from core.tasks import enqueue

KIND = "campaign_update"
logger = logging.getLogger(__name__)

MAX_BATCH = 500
D = UpdateDelivery.Status


def recipients(campaign_id):
    """Contacts who agreed to updates and have not withdrawn."""
    return RegistrationContact.objects.filter(
        campaign_id=campaign_id, consents_to_updates=True, unsubscribed_at__isnull=True
    )


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
        "unsubscribe_url": unsubscribe_url or outbox.placeholder("unsubscribe_url"),
        "test": test,
    }
    # A test copy's subject starts "[Test] " (the subject template says so).
    subject = " ".join(render_to_string("emails/campaigns-update-subject.txt", context).split())
    text = render_to_string("emails/campaigns-update-body.txt", context)
    body = render_to_string("emails/campaigns-update-body.html", context)
    return subject, text, body


def queue_test(update_id, email):
    """One copy to a coordinator, marked as a test; its unsubscribe link goes nowhere. An
    outbox row (core.emails.queue_email), rendered from the update as it is now."""
    update = CampaignUpdate.objects.select_related("campaign").get(pk=update_id)
    body_html = absolute_links(expand_db_html(update.body))
    context = {
        "update": {"subject": update.subject},
        "campaign": update.campaign.title,
        "campaign_url": absolute(update.campaign.url or "/"),
        "body_html": body_html,
        "body_text": rich_text_as_plain(body_html),
        "unsubscribe_url": absolute("/"),
        "test": True,
    }
    queue_email("campaigns-update", email, context, kind="campaigns-update-test")


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
    enqueue("campaigns.tasks.start_update", update.pk, task_name=f"campaign-update:{update.pk}")
    return True


def create_deliveries_and_queue(update_id):
    """The task `start_sending` queues: rows for every recipient, then their batches."""
    return outbox.start(KIND, update_id)


def create_deliveries(update_id):
    """One row per consenting contact, written once (the outbox calls this)."""
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
    return len(contact_ids)


def resume_unfinished(now=None):
    """What the outbox's resume schedule does, for every kind."""
    return outbox.resume_open_sends(now)


def send_batch(update_id, first_id, last_id, now=None):
    """Send one batch of an update's deliveries. Safe to run twice, or at the same time."""
    return outbox.send_batch(KIND, update_id, first_id, last_id, now)


def with_counts(queryset):
    """One query for a page of updates and all their delivery counts."""
    return queryset.annotate(
        recipient_count=Count("deliveries"),
        sent_count=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
        suppressed_count=Count("deliveries", filter=Q(deliveries__status=D.SUPPRESSED)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
    )
