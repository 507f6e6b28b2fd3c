"""A prayer request sent through the public form: the request and its "we received it" email
(an outbox row) are committed together, so neither is ever left without the other."""

from django.db import transaction

from prayer.emails import send_request_received


def submit(form):
    """Save a valid PrayerRequestForm; the request made."""
    with transaction.atomic():
        prayer_request = form.save()
        if prayer_request.submitter_email:
            send_request_received(prayer_request)
    return prayer_request
