"""Counting "I prayed": once per visitor, request and day, within the connection's caps
(RATE_LIMITS["prayed"]). The view says who the visitor is (prayer/views.py); this module owns
the count. A visitor is stored as a keyed hash, never an id or an address in the clear.
"""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.ratelimit import within_limit
from prayer.models import PrayedMark, PrayerRequest

PRAYED_SCOPE = "prayed"
ALREADY_COUNTED = "Thank you: your prayer today is already counted."
ADDRESS_CAP_REACHED = (
    "Thank you for praying. Many prayers for this request were counted from your connection "
    "today, so this one is not added to the count."
)


def visitor_key(identity):
    """What is stored: a keyed hash, never the id or an address in the clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{identity}".encode()).hexdigest()


def record_prayed(prayer_request, visitor, day):
    """Count one prayer for the visitor today; False when they already prayed for it today."""
    try:
        with transaction.atomic():
            PrayedMark.objects.create(prayer_request=prayer_request, visitor=visitor, day=day)
    except IntegrityError:
        return False
    PrayerRequest.objects.filter(pk=prayer_request.pk).update(prayed_count=F("prayed_count") + 1)
    return True


def count_prayer(prayer_request, visitor, address):
    """(counted, message) for one press of "I prayed"."""
    day = timezone.localdate()
    if PrayedMark.objects.filter(prayer_request=prayer_request, visitor=visitor, day=day).exists():
        return False, ALREADY_COUNTED
    address_today = f"{address}:{prayer_request.pk}:{day}"
    if not within_limit(PRAYED_SCOPE, "ip-per-request", address_today):
        return False, ADDRESS_CAP_REACHED
    if record_prayed(prayer_request, visitor, day):
        return True, "Thank you for praying."
    return False, ALREADY_COUNTED
