"""What campaigns send to churches, one at a time (updates are in campaigns.updates).

Views call the `queue_*` functions in the transaction of the change that causes the email:
each writes an outbox row (core.emails.queue_email) that commits with it, and the outbox
sends it from the task cluster, so no email leaves from inside a request.
"""

import logging

from campaigns import links
from campaigns.models import CampaignResource, ChurchRegistration, RegistrationContact
from core.emails import queue_email
from core.mailing import absolute

logger = logging.getLogger(__name__)


def queue_confirmation(contact_id):
    contact = load_contact(contact_id)
    if contact is None:
        logger.info("Confirmation skipped: contact %s no longer exists", contact_id)
        return
    context = registration_context(contact.registration, contact)
    queue_email("campaigns-registration-confirmed", contact.email, context)


def queue_already_registered(contact_id):
    contact = load_contact(contact_id)
    if contact is None:
        return
    context = registration_context(contact.registration, contact)
    queue_email("campaigns-already-registered", contact.email, context)


def queue_registration_attempt(registration_id, newcomer):
    """To each contact of the church: someone else tried to register it (with the manage
    link, so they can add that person). To the newcomer: who to ask, without any address.
    `newcomer`: name, role and email of the person whose form matched the church."""
    registration = (
        ChurchRegistration.objects.select_related("campaign").filter(pk=registration_id).first()
    )
    if registration is None:
        return
    for contact in RegistrationContact.objects.filter(registration=registration):
        context = {**registration_context(registration, contact), "newcomer": newcomer}
        queue_email("campaigns-registration-attempt", contact.email, context)
    context = {
        "campaign": registration.campaign.title,
        "campaign_url": absolute(registration.campaign.url or "/"),
        "church": registration.church_name,
        "city": registration.city,
        "name": newcomer.get("name", ""),
    }
    queue_email("campaigns-church-already-registered", newcomer["email"], context)


def load_contact(contact_id):
    return (
        RegistrationContact.objects.select_related("registration__campaign")
        .filter(pk=contact_id)
        .first()
    )


def kit_links(registration):
    """The campaign's resources, each with this registration's tracked link."""
    resources = CampaignResource.objects.filter(campaign_id=registration.campaign_id).order_by(
        "sort_order", "pk"
    )
    return [
        {
            "title": resource.title,
            "description": resource.description,
            "kind": resource.kind,
            "url": links.download_url(registration, resource.pk),
        }
        for resource in resources
    ]


def registration_context(registration, contact=None):
    campaign = registration.campaign
    return {
        "campaign": campaign.title,
        "campaign_url": absolute(campaign.url or "/"),
        "campaign_start": campaign.start_date,
        "campaign_end": campaign.end_date,
        "church": registration.church_name,
        "city": registration.city,
        "name": contact.name if contact else "",
        "resources": kit_links(registration),
        "manage_url": links.manage_url(registration),
        # Sent only to the contact's own address: following it proves the address is theirs.
        "confirm_url": (
            links.confirm_contact_url(contact) if contact and not contact.is_confirmed else ""
        ),
    }
