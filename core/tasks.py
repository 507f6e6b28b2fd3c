"""Tasks the django-q2 cluster runs for the website: sending email, publishing, heartbeat."""

import logging

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.emails import build_message

logger = logging.getLogger(__name__)


def send_templated_email(template, to, context=None, headers=None, reply_to=None):
    """Render `templates/emails/<template>-*` and send it. Run from the cluster, not a request."""
    message = build_message(template, to, context or {}, headers=headers, reply_to=reply_to)
    message.send()
    return getattr(message, "anymail_status", None) and message.anymail_status.message_id


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
