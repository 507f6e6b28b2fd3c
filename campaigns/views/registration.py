"""The campaign page with its registration form, the form's POST and the thank-you page.

The answer to a registration is the same whether the church was new, already registered
by someone else, or registered by this very address: the difference is in the email, so
the form cannot be used to find out who registered what.
"""

import logging

from django.db import transaction
from django.shortcuts import redirect

from campaigns import emails
from campaigns.forms import RegistrationForm
from campaigns.progress import campaign_progress
from campaigns.registration import Outcome, register_church
from core.formguard import error_status, within_limits

logger = logging.getLogger(__name__)

RATE_SCOPE = "campaign-registration"

CLOSED_MESSAGES = {
    "not_yet": "Registration for this campaign has not opened yet.",
    "closed": "Registration for this campaign has closed.",
}


def page_context(page, request, form=None):
    state = page.registration_state()
    if form is None and state == "open":
        form = RegistrationForm()
    return {
        "registration_state": state,
        "closed_message": CLOSED_MESSAGES.get(state, ""),
        "form": form,
        "progress": campaign_progress(page),
        "resources": list(page.resources.all()),
        "related_stories": list(page.related_stories()),
        "register_url": page.url + page.reverse_subpage("register"),
        "churches_url": page.url + page.reverse_subpage("churches"),
    }


def campaign_page(page, request):
    return page.render(request, context_overrides=page_context(page, request))


def register(page, request):
    if request.method != "POST":
        return redirect(page.url + "#register")
    if not page.registration_is_open():
        # The page itself says why: registration has not opened yet, or has closed.
        response = page.render(request, context_overrides=page_context(page, request))
        response.status_code = 403
        return response
    form = RegistrationForm(request.POST)
    thanks_url = page.url + page.reverse_subpage("thanks")
    if form.is_bot:
        return redirect(thanks_url)
    if not form.is_valid() or not within_limits(
        request, form, RATE_SCOPE, email=form.cleaned_data["email"]
    ):
        response = page.render(request, context_overrides=page_context(page, request, form))
        response.status_code = error_status(form)
        return response
    data = form.cleaned_data
    # The registration and its email commit together (an outbox row).
    with transaction.atomic():
        result = register_church(page, data)
        if result.outcome == Outcome.CREATED:
            emails.queue_confirmation(result.contact.pk)
        elif result.outcome == Outcome.SAME_CONTACT:
            emails.queue_already_registered(result.contact.pk)
        else:
            newcomer = {"name": data["contact_name"], "role": data["role"], "email": data["email"]}
            emails.queue_registration_attempt(result.registration.pk, newcomer)
    logger.info(
        "Campaign %s registration form: %s (registration %s)",
        page.pk,
        result.outcome,
        result.registration.pk,
    )
    return redirect(thanks_url)


def thanks(page, request):
    return page.render(
        request,
        template="campaigns/thanks.html",
        context_overrides={"campaign_url": page.url},
    )
