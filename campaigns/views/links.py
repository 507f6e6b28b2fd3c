"""Pages behind the signed links in campaign emails: manage a registration, download a
resource of the kit (counted), unsubscribe from campaign updates in one click, and confirm
that a contact's address and details are theirs."""

import logging

from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import emails, links
from campaigns.downloads import record_download
from campaigns.forms import AddContactForm, ChurchDetailsForm
from campaigns.models import CampaignResource, ChurchRegistration, RegistrationContact
from campaigns.registration import DuplicateChurch, DuplicateContact, add_contact, update_church
from campaigns.views.registration import RATE_SCOPE
from core.formguard import error_status, within_limits
from core.signing import LinkRefused, link_refused

logger = logging.getLogger(__name__)
TEMPLATES = "campaigns/links"
CONTACTS = RegistrationContact.objects.select_related("registration__campaign")


def bad_link(request, refused):
    return link_refused(
        request,
        refused,
        new_link_hint=(
            "To get a fresh link, fill in the registration form on the campaign page again with "
            "the same email address: we will not register your church twice, we will email you "
            "a new link."
        ),
    )


@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        registration = links.MANAGE.resolve(
            token, ChurchRegistration.objects.select_related("campaign")
        )
    except LinkRefused as refused:
        return bad_link(request, refused)

    church_form = ChurchDetailsForm.for_registration(registration)
    contact_form = AddContactForm(country=registration.country.code)
    saved = ""
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "save":
        church_form = ChurchDetailsForm.for_registration(registration, data=request.POST)
        if church_form.is_valid():
            try:
                update_church(registration, church_form.cleaned_data)
            except DuplicateChurch:
                church_form.add_error(
                    None,
                    "Another registration for this campaign already has this church name in "
                    "this town. Please write to us and we will merge the two.",
                )
                registration.refresh_from_db()
            else:
                saved = "Your church’s details are saved."
                church_form = ChurchDetailsForm.for_registration(registration)
        status = 400 if church_form.errors else 200
    elif action == "add_contact":
        contact_form = AddContactForm(request.POST, country=registration.country.code)
        # Adding a contact sends an email: the same limits as the public form.
        if contact_form.is_valid() and within_limits(
            request, contact_form, RATE_SCOPE, email=contact_form.cleaned_data["email"]
        ):
            try:
                # The contact and its confirmation commit together (an outbox row).
                with transaction.atomic():
                    contact = add_contact(registration, contact_form.cleaned_data)
                    emails.queue_confirmation(contact.pk)
            except DuplicateContact:
                contact_form.add_error(
                    "email", "This address is already a contact of a church in this campaign."
                )
            else:
                logger.info("Contact %s added to registration %s", contact.pk, registration.pk)
                saved = f"{contact.name} is added and will receive the resource kit by email."
                contact_form = AddContactForm(country=registration.country.code)
        status = error_status(contact_form) if contact_form.errors else 200
    elif action is not None:
        status = 400

    return render(
        request,
        f"{TEMPLATES}/manage.html",
        {
            "registration": registration,
            "campaign": registration.campaign,
            "contacts": list(registration.contacts.all()),
            "resources": emails.kit_links(registration),
            "church_form": church_form,
            "contact_form": contact_form,
            "saved": saved,
        },
        status=status,
    )


@require_GET
def download(request, resource_id, token):
    """Note that this registration opened the resource (the first time only), then send
    whoever followed the link, a mail scanner too, on to the resource."""
    try:
        registration = links.DOWNLOAD.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)
    resource = (
        CampaignResource.objects.select_related("document")
        .filter(pk=resource_id, campaign_id=registration.campaign_id)
        .first()
    )
    target = resource and resource.target_url()
    if not target:
        raise Http404("This resource is no longer part of the kit.")
    record_download(registration, resource)
    return HttpResponseRedirect(target)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058: mail clients POST here without cookies or CSRF token; that POST is enough.
    A GET (a link scanner, or a person) only shows the button."""
    try:
        contact = links.UNSUBSCRIBE.resolve(token, CONTACTS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    if request.method == "POST":
        RegistrationContact.objects.filter(pk=contact.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        logger.info("Campaign contact %s unsubscribed from updates", contact.pk)
        return render(
            request, f"{TEMPLATES}/unsubscribed.html", {"campaign": contact.registration.campaign}
        )
    return render(
        request,
        f"{TEMPLATES}/unsubscribe.html",
        {"contact": contact, "campaign": contact.registration.campaign},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_contact(request, token):
    """The owner of the address confirms the details typed with it. A GET (a link scanner,
    or the person reading) shows them; only the button's POST confirms."""
    try:
        contact = links.CONFIRM_CONTACT.resolve(token, CONTACTS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    if request.method == "POST":
        RegistrationContact.objects.filter(pk=contact.pk, address_confirmed_at__isnull=True).update(
            address_confirmed_at=timezone.now()
        )
        contact.refresh_from_db(fields=["address_confirmed_at"])
        logger.info("Campaign contact %s confirmed their address", contact.pk)
    return render(
        request,
        f"{TEMPLATES}/confirm_contact.html",
        {
            "contact": contact,
            "registration": contact.registration,
            "campaign": contact.registration.campaign,
            "manage_url": links.manage_url(contact.registration),
        },
    )
