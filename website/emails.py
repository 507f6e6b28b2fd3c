"""The one place a message is rendered: subject, plain text and HTML from three templates.

Templates live in `templates/emails/<name>-subject.txt`, `<name>-body.txt` and
`<name>-body.html`. Each gets `site_url` and the organisation's settings.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_q.tasks import async_task

from website.mailing import can_be_addressed


def email_context(context):
    from wagtail.models import Site

    from website.models import OrganisationSettings

    site = Site.objects.filter(is_default_site=True).first()
    organisation = OrganisationSettings.for_site(site) if site else None
    return {"site_url": settings.SITE_URL, "organisation": organisation, **context}


def render_email(template, context):
    """Return (subject, text, html) for the named email."""
    context = email_context(context)
    subject = render_to_string(f"emails/{template}-subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return subject, text, html


def build_message(template, to, context, headers=None, reply_to=None):
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


def queue_email(template, to, context=None, headers=None, reply_to=None):
    """Hand the email to the task cluster. `context` must be plain data, not model instances."""
    return async_task(
        "website.tasks.send_templated_email",
        template,
        to,
        context or {},
        headers=headers,
        reply_to=reply_to,
        task_name=f"email:{template}",
    )
