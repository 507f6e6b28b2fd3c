"""What the campaigns app holds about an address, for My Vigil, the data download and erasure
(the four functions `core.privacy` asks every app for).

A person appears as a contact of a church registration, found by address (contacts have no
account link). A contact's details were typed by whoever filled the form: until the owner of
the address confirms them by the emailed link, they are shown as unconfirmed. The church's
own details are the church's, not the person's: the download shows them with the person's
contact entry only, never the other contacts, and erasing a contact keeps the registration so
the campaign's counts stay.
"""

from django.db import transaction
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Coalesce

from campaigns import links
from campaigns.models import ChurchRegistration, RegistrationContact, UpdateDelivery
from core.privacy import Item, Link, Section


def contacts_of(addresses):
    return (
        RegistrationContact.objects.filter(email__in=addresses)
        .select_related("registration__campaign")
        .order_by("-created_at", "pk")
    )


def attach(user, addresses):
    return {}


# My Vigil


def contact_item(contact, request):
    registration = contact.registration
    campaign = registration.campaign
    item = Item(
        title=f"{registration.church_name}, {registration.city}",
        status=f"Registered for {campaign.title}",
        details=[
            ("Your role", contact.role or "Contact"),
            ("Expected attendance", str(registration.expected_attendance)),
            ("Taking part", registration.participation_display() or "Not chosen yet"),
            ("Campaign updates by email", "Yes" if contact.receives_updates else "No"),
        ],
        links=[Link("Change your church’s registration", links.manage_url(registration))],
    )
    if not contact.is_confirmed:
        # Typed by whoever filled the form: the owner of the address has not said it is theirs.
        item.status += " (your details are not confirmed yet)"
        item.links.insert(0, Link("Confirm your details", links.confirm_contact_url(contact)))
    if contact.receives_updates:
        item.links.append(
            Link("Stop campaign updates", links.unsubscribe_url(contact.pk, contact.link_version))
        )
    if campaign.live:
        item.links.append(Link("Open the campaign", campaign.get_url(request)))
    return item


def sections(addresses, request):
    return [
        Section(
            key="church-registrations",
            heading="Church registrations",
            items=[contact_item(contact, request) for contact in contacts_of(addresses)],
            empty="You are not a contact for a church registered in a campaign.",
        )
    ]


# The data download


def registration_record(contact):
    registration = contact.registration
    return {
        "campaign": registration.campaign.title,
        "church_name": registration.church_name,
        "denomination": registration.denomination,
        "city": registration.city,
        "region": registration.region,
        "country": registration.country.name,
        "expected_attendance": registration.expected_attendance,
        "taking_part": registration.participation_display(),
        "may_be_listed_publicly": registration.listed_publicly,
        "registered_at": registration.created_at,
        "your_contact_details": {
            "name": contact.name,
            "role": contact.role,
            "email": contact.email,
            "phone": str(contact.phone),
            "added_at": contact.created_at,
            "confirmed_by_you_at": contact.address_confirmed_at,
        },
        "consent_to_campaign_updates": {
            "given": contact.consents_to_updates,
            "given_at": contact.consent_at,
            "withdrawn_at": contact.unsubscribed_at,
        },
        "updates_sent": [
            {"subject": delivery.update.subject, "sent_at": delivery.sent_at}
            for delivery in contact.deliveries.all()
        ],
    }


def export(addresses):
    sent = (
        UpdateDelivery.objects.filter(status=UpdateDelivery.Status.SENT)
        .select_related("update")
        .order_by("sent_at")
    )
    contacts = contacts_of(addresses).prefetch_related(Prefetch("deliveries", queryset=sent))
    return {"church_registrations": [registration_record(contact) for contact in contacts]}


# Erasure


def erase(addresses, now):
    """Remove the person's contact entries. A church left with no contact is reduced as
    retention reduces it (campaigns.retention): its name, city, country and numbers stay
    (the campaign's counts), nothing else a person typed."""
    with transaction.atomic():
        registration_ids = set(contacts_of(addresses).values_list("registration_id", flat=True))
        removed = RegistrationContact.objects.filter(email__in=addresses).delete()[1]
        registrations = ChurchRegistration.objects.filter(pk__in=registration_ids)
        # Links already emailed would still open the church's page with its other contacts.
        registrations.update(link_version=F("link_version") + 1)
        reduced = registrations.filter(contacts__isnull=True).update(
            denomination="", region="", reduced_at=Coalesce("reduced_at", Value(now))
        )
    return {
        "church_contacts_removed": removed.get("campaigns.RegistrationContact", 0),
        "church_registrations_left_without_contact": reduced,
    }
