"""Recording a registration without duplicates, editing it, adding contacts, merging two.

`register_church` never creates a second row for a church or an address already
registered for the campaign: it reports what it matched, and the caller emails the people
concerned. The database constraints decide races (two forms sent at the same moment).
"""

import dataclasses
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.downloads import merge_downloads
from campaigns.matching import match_key
from campaigns.models import ChurchRegistration, RegistrationContact

logger = logging.getLogger(__name__)

CHURCH_FIELDS = ("church_name", "denomination", "city", "region", "country", "expected_attendance")


class Outcome:
    CREATED = "created"
    SAME_CONTACT = "same_contact"  # this address already registered a church
    SAME_CHURCH = "same_church"  # the church is registered, by someone else


@dataclasses.dataclass
class Result:
    outcome: str
    registration: ChurchRegistration
    contact: RegistrationContact | None = None


class DuplicateChurch(Exception):
    """Edited details now match another registration of the campaign."""


class DuplicateContact(Exception):
    """The address is already a contact of a church registered for the campaign."""


def find_existing(campaign, key, email):
    """The registration this address already made, else the one for this church."""
    contact = (
        RegistrationContact.objects.filter(campaign=campaign, email=email)
        .select_related("registration")
        .first()
    )
    if contact is not None:
        return Result(Outcome.SAME_CONTACT, contact.registration, contact)
    registration = ChurchRegistration.objects.filter(campaign=campaign, match_key=key).first()
    if registration is not None:
        return Result(Outcome.SAME_CHURCH, registration)
    return None


def register_church(campaign, data, now=None):
    """Create the registration and its first contact, or return the one already there."""
    now = now or timezone.now()
    key = match_key(data["church_name"], data["city"], data["country"])
    existing = find_existing(campaign, key, data["email"])
    if existing:
        return existing
    try:
        with transaction.atomic():
            registration = ChurchRegistration(
                campaign=campaign,
                match_key=key,
                listed_publicly=data.get("listed_publicly", False),
                created_at=now,
                **{field: data.get(field, "") for field in CHURCH_FIELDS},
            )
            registration.set_participation(data.get("participation", []))
            registration.save()
            contact = add_contact(registration, data, now)
    except IntegrityError:
        # Another request registered the same church or address a moment ago.
        existing = find_existing(campaign, key, data["email"])
        if existing is None:
            raise
        return existing
    logger.info("Church registration %s created for campaign %s", registration.pk, campaign.pk)
    return Result(Outcome.CREATED, registration, contact)


def add_contact(registration, data, now=None):
    """Add a contact; raises DuplicateContact when the address is taken for the campaign."""
    now = now or timezone.now()
    consent = bool(data.get("consents_to_updates"))
    try:
        with transaction.atomic():
            return RegistrationContact.objects.create(
                registration=registration,
                campaign_id=registration.campaign_id,
                name=data["contact_name"],
                role=data.get("role", ""),
                email=data["email"],
                phone=data.get("phone", ""),
                consents_to_updates=consent,
                consent_at=now if consent else None,
                created_at=now,
            )
    except IntegrityError as error:
        raise DuplicateContact from error


def update_church(registration, data):
    """Save edited church details; raises DuplicateChurch if they now match another."""
    for field in CHURCH_FIELDS:
        setattr(registration, field, data[field])
    registration.listed_publicly = data.get("listed_publicly", False)
    registration.set_participation(data.get("participation", []))
    registration.match_key = match_key(data["church_name"], data["city"], data["country"])
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        raise DuplicateChurch from error


def merge_registrations(keep, other):
    """Move `other`'s contacts and downloads onto `keep`, then delete `other`.

    Both must belong to the same campaign. Of a resource both opened, the earlier first
    opening stays. Returns the number of contacts moved.
    """
    if keep.pk == other.pk or keep.campaign_id != other.campaign_id:
        raise ValueError("Only two different registrations of one campaign can be merged.")
    with transaction.atomic():
        keep = ChurchRegistration.objects.select_for_update().get(pk=keep.pk)
        other = ChurchRegistration.objects.select_for_update().get(pk=other.pk)
        moved = RegistrationContact.objects.filter(registration=other).update(registration=keep)
        merge_downloads(keep, other)
        changed = []
        for field in ("will_preach", "will_pray", "will_give", "will_host_screening"):
            if getattr(other, field) and not getattr(keep, field):
                setattr(keep, field, True)
                changed.append(field)
        if other.created_at < keep.created_at:
            keep.created_at = other.created_at
            changed.append("created_at")
        if changed:
            keep.save(update_fields=[*changed, "updated_at"])
        other.delete()
    logger.info("Church registration %s merged into %s", other.pk, keep.pk)
    return moved
