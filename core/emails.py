"""The one place a message is rendered: subject, plain text and HTML from three templates.

Templates live in `templates/emails/<name>-subject.txt`, `<name>-body.txt` and
`<name>-body.html`. Each gets `site_url` and the organisation's settings.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.mailing import can_be_addressed
from core.tasks import enqueue


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
) -> EmailMultiAlternatives:
    subject, text, html = render_email(template, context)
    recipients = [to] if isinstance(to, str) else list(to)
    # An address no header can carry is dropped (a message with no recipient is not sent):
    # sending would fail on every retry.
    recipients = [address for address in recipients if can_be_addressed(address)]
    message = EmailMultiAlternatives(
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
) -> None:
    """Hand the email to the task cluster once the current transaction commits.

    `context` must be plain data, not model instances.
    """
    enqueue(
        "core.tasks.send_templated_email",
        template,
        to,
        context or {},
        headers=headers,
        reply_to=reply_to,
        task_name=f"email:{template}",
    )
