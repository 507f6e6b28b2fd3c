"""What the task cluster runs for campaigns. Each task reads its rows by id and is safe to rerun
(a rerun of a one-off email sends it again, which is harmless; updates are exactly-once)."""

import logging

from campaigns import emails, updates
from campaigns.models import ChurchRegistration, RegistrationContact

logger = logging.getLogger(__name__)


def _contact(contact_id):
    return (
        RegistrationContact.objects.select_related("registration__campaign")
        .filter(pk=contact_id)
        .first()
    )


def send_registration_confirmation(contact_id):
    contact = _contact(contact_id)
    if contact is None:
        logger.info("Confirmation skipped: contact %s no longer exists", contact_id)
        return
    emails.confirmation_message(contact).send()


def send_already_registered(contact_id):
    contact = _contact(contact_id)
    if contact is None:
        return
    emails.already_registered_message(contact).send()


def send_registration_attempt(registration_id, newcomer):
    registration = (
        ChurchRegistration.objects.select_related("campaign").filter(pk=registration_id).first()
    )
    if registration is None:
        return
    for message in emails.registration_attempt_messages(registration, newcomer):
        message.send()


def send_update_test(update_id, email):
    updates.send_test(update_id, email)


def start_update(update_id):
    updates.create_deliveries_and_queue(update_id)
