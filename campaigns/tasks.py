"""What the task cluster runs for campaigns. Each task reads its rows by id and is safe to rerun
(updates are exactly-once; the one-off emails are outbox rows, campaigns.emails)."""

from campaigns import emails, updates

# The three below are kept for the tasks queued before these emails went through the outbox
# (a task in the broker at the upgrade still names them): each writes its outbox rows, which
# the outbox sends. New code calls the campaigns.emails.queue_* functions directly.


def send_registration_confirmation(contact_id):
    emails.queue_confirmation(contact_id)


def send_already_registered(contact_id):
    emails.queue_already_registered(contact_id)


def send_registration_attempt(registration_id, newcomer):
    emails.queue_registration_attempt(registration_id, newcomer)


def send_update_test(update_id, email):
    """Kept for test copies queued before they went through the outbox (see above)."""
    updates.queue_test(update_id, email)


def start_update(update_id):
    updates.create_deliveries_and_queue(update_id)
