"""Retention of church registrations: reduced to the church's name, city and country once
their campaign ended more than RETENTION_CAMPAIGN_REGISTRATION_YEARS ago (daily task).

Removed: every contact (name, role, email address, phone, consent and unsubscribe records,
and the record of which updates each was sent), the denomination and the region, and every
link emailed about the registration (its version is raised).

Kept with the name, city and country: the number of people the church expected and what
it took part in (preach, pray, give, host a screening), whether it may be listed publicly,
when it registered and how often it downloaded each resource. These describe a congregation,
not a person, and they are what a finished campaign's totals are made of (churches,
countries, people reached), so those totals still add up years later.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import ChurchRegistration, RegistrationContact

logger = logging.getLogger(__name__)


def years_before(day, years):
    """The same date `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def due_for_reduction(today):
    """Registrations not yet reduced whose campaign ended more than the period before `today`."""
    cutoff = years_before(today, settings.RETENTION_CAMPAIGN_REGISTRATION_YEARS)
    return ChurchRegistration.objects.annotate(
        campaign_ended_on=Coalesce("campaign__end_date", "campaign__start_date")
    ).filter(reduced_at__isnull=True, campaign_ended_on__lt=cutoff)


BATCH = 500


def reduce_old_registrations(now=None):
    """Daily: reduce the registrations due, a batch per transaction. Idempotent: a rerun (or
    a run after a killed one) finds only what is left."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reduced = 0
    while batch := list(due_for_reduction(today).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            RegistrationContact.objects.filter(registration_id__in=batch).delete()
            reduced += ChurchRegistration.objects.filter(
                pk__in=batch, reduced_at__isnull=True
            ).update(
                denomination="",
                region="",
                link_version=F("link_version") + 1,
                reduced_at=now,
            )
    logger.info("Reduced %s church registrations of past campaigns", reduced)
    return reduced
