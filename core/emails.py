"""The one place a message is rendered: subject, plain text and HTML from three templates.

Single emails (confirmations, reminders, staff notifications) are queued with `queue_email`:
a row in the outbox, written with the change that caused it (core.single_messages.send_single).

Templates live in `templates/emails/<name>-subject.txt`, `<name>-body.txt` and
`<name>-body.html`. Each gets `site_url` and the organisation's settings.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from anymail.message import AnymailMessage
from django.conf import settings
from django.template.loader import render_to_string

from core.mailing import can_be_addressed

logger = logging.getLogger(__name__)


def email_context(context: Mapping[str, Any]) -> dict[str, Any]:
    from wagtail.models import Site

    from core.models import OrganisationSettings

    site = Site.objects.filter(is_default_site=True).first()
    organisation = OrganisationSettings.for_site(site) if site else None
    return {"site_url": settings.SITE_URL, "organisation": organisation, **context}


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text, html) for the named email."""
    full = email_context(context)
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", full).split())
    text = render_to_string(f"emails/{template}-body.txt", full)
    html = render_to_string(f"emails/{template}-body.html", full)
    return subject, text, html


def build_message(
    template: str,
    to: str | Iterable[str],
    context: Mapping[str, Any],
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
) -> AnymailMessage:
    """The one recipe for a single email (core.single_messages.send_single builds with it). An
    AnymailMessage, so the outbox can tag it for the provider; other backends ignore that."""
    subject, text, html = render_email(template, context)
    recipients = [to] if isinstance(to, str) else list(to)
    # An address no header can carry is dropped (a message with no recipient is not sent):
    # sending would fail on every retry.
    recipients = [address for address in recipients if can_be_addressed(address)]
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers=headers or {},
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    return message


def queue_email(
    template: str,
    to: str | list[str],
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
    *,
    kind: str = "",
    about: str = "",
    attachments: list[dict[str, str]] | None = None,
    forget_when_sent: bool = False,
) -> int | None:
    """Write the email to the outbox in the current transaction, and queue its send for when
    that commits (core.single_messages.send_single renders and sends it). A rolled-back
    change leaves no row and sends nothing. The row's id, or None if no recipient can be
    addressed.

    `context` must be plain data (and dates), not model instances. `kind` names the message
    in logs (the template by default) and picks the app's send-time check of `about`
    (core.single_messages.register_still_wanted); `attachments` are {"filename", "content",
    "mimetype"} with text content.
    """
    from core.models import OutboundEmail
    from core.single_messages import deliverable, queue_single

    addresses = [to] if isinstance(to, str) else list(to)
    kept = deliverable(addresses)
    kind = kind or template
    if len(kept) < len(addresses):
        logger.warning(
            "email %s: %s undeliverable recipients dropped", kind, len(addresses) - len(kept)
        )
    if not kept:
        return None
    row = OutboundEmail.objects.create(
        kind=kind[:60],
        about=about[:100],
        template=template,
        to=kept,
        context=context or {},
        headers=headers or {},
        reply_to=list(reply_to or []),
        attachments=list(attachments or []),
        forget_when_sent=forget_when_sent,
    )
    queue_single(row.pk, kind)
    return row.pk
