"""Consent for prayer requests: a request whose consent has ended leaves the wall.

Registered with the editorial app's consent (website/consent/targets.py) by PrayerConfig, as
the target "prayer_request": the relation PrayerRequest.consent_records (through this app's
PrayerRequestConsentLink) is queried by that name from the records. The take-down run calls
`take_down_ended_requests` and the back office `request_edit_url`. (The digests app renders
again, after each run, the public copies of digests that showed a story or request taken down:
digests/consent.py.)
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prayer.models import PrayerRequest
from website.consent.status import ended_ids
from website.consent.takedown import claim_take_down, log_take_down

# A request is on the wall in these; the wall's one gate (`on_wall`) leaves "withdrawn" out:
# the wall, its feeds and new digests.
PUBLIC_PRAYER_STATUSES = (PrayerRequest.Status.APPROVED, PrayerRequest.Status.ANSWERED)


def take_down_prayer_request(prayer_request, now=None):
    """Take a request off the wall. True when it was on it (approved or answered)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = PrayerRequest.objects.filter(
            pk=prayer_request.pk, status__in=PUBLIC_PRAYER_STATUSES
        ).update(status=PrayerRequest.Status.WITHDRAWN, updated_at=now)
        if not moved:
            return False
        prayer_request.status = PrayerRequest.Status.WITHDRAWN
        record, _claimed = claim_take_down(prayer_request, now)
        log_take_down(prayer_request, record)
    return True


def take_down_ended_requests(today, now):
    """Every public request whose consent has ended, taken off the wall; the ones it took."""
    return [
        prayer_request
        for prayer_request in PrayerRequest.objects.filter(
            pk__in=ended_ids("prayer_request", today), status__in=PUBLIC_PRAYER_STATUSES
        )
        if take_down_prayer_request(prayer_request, now)
    ]


def delete_consent_records(sender, instance, **kwargs):
    """A request's consent records go with it (the link alone would go by cascade)."""
    from website.models import ConsentRecord

    ConsentRecord.objects.filter(prayer_request=instance.pk).delete()


def request_edit_url(pk):
    viewset = PrayerRequest.snippet_viewset
    return reverse(viewset.get_url_name("edit"), args=[pk])
