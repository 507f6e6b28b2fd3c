"""What campaigns send to churches, one at a time (updates are in campaigns.updates).

Views call the `queue_*` functions, which hand ids to the task cluster; the tasks in
campaigns.tasks read the rows and send, so no email leaves from inside a request.
"""

from campaigns import links
from campaigns.models import CampaignResource, RegistrationContact
from core.emails import build_message
from core.mailing import absolute
from core.tasks import enqueue


def queue_confirmation(contact_id):
    enqueue(
        "campaigns.tasks.send_registration_confirmation",
        contact_id,
        task_name="email:campaigns-registration-confirmed",
    )


def queue_already_registered(contact_id):
    enqueue(
        "campaigns.tasks.send_already_registered",
        contact_id,
        task_name="email:campaigns-already-registered",
    )


def queue_registration_attempt(registration_id, newcomer):
    """`newcomer`: name, role and email of the person whose form matched the church."""
    enqueue(
        "campaigns.tasks.send_registration_attempt",
        registration_id,
        newcomer,
        task_name="email:campaigns-registration-attempt",
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


def confirmation_message(contact):
    context = registration_context(contact.registration, contact)
    return build_message("campaigns-registration-confirmed", contact.email, context)


def already_registered_message(contact):
    context = registration_context(contact.registration, contact)
    return build_message("campaigns-already-registered", contact.email, context)


def registration_attempt_messages(registration, newcomer):
    """To each contact of the church: someone else tried to register it (with the manage
    link, so they can add that person). To the newcomer: who to ask, without any address."""
    messages = []
    contacts = list(RegistrationContact.objects.filter(registration=registration))
    for contact in contacts:
        context = {**registration_context(registration, contact), "newcomer": newcomer}
        messages.append(build_message("campaigns-registration-attempt", contact.email, context))
    context = {
        "campaign": registration.campaign.title,
        "campaign_url": absolute(registration.campaign.url or "/"),
        "church": registration.church_name,
        "city": registration.city,
        "name": newcomer.get("name", ""),
    }
    messages.append(
        build_message("campaigns-church-already-registered", newcomer["email"], context)
    )
    return messages
