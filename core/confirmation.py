"""Pending until confirmed: rows that wait for the link emailed to their address to be followed.

An address nobody has proven is not kept. Each feature registers its kinds of pending row from
its AppConfig.ready(); one daily task (`purge_unconfirmed`, in core.schedules) forgets every
kind's rows whose link was not followed in time. The README's "Retention" section lists them.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Confirmable:
    """A kind of row that is pending until its emailed link is followed.

    A row is unconfirmed while `status_field` holds `pending` (and `confirmed_at_field`, where
    the model has one, is empty). It is forgotten once its latest request, `requested_at` (a
    field or an expression), is older than the number of days in the setting `kept_days_setting`.
    `keep` names rows to keep all the same; `afterwards(cutoff)` tidies what a purge leaves.
    """

    model: type[models.Model]
    pending: str
    status_field: str = "status"
    confirmed_at_field: str | None = None
    requested_at: str | Combinable = "created_at"
    kept_days_setting: str = "RETENTION_UNCONFIRMED_DAYS"
    keep: models.Q = field(default_factory=models.Q)
    afterwards: Callable[[datetime.datetime], Any] | None = None

    def cutoff(self, now: datetime.datetime) -> datetime.datetime:
        return now - datetime.timedelta(days=getattr(settings, self.kept_days_setting))

    def unconfirmed(self) -> "models.QuerySet[Any]":
        rows = self.model._default_manager.filter(**{self.status_field: self.pending})
        if self.confirmed_at_field:
            rows = rows.filter(**{f"{self.confirmed_at_field}__isnull": True})
        return rows.exclude(self.keep) if self.keep else rows

    def stale(self, now: datetime.datetime) -> "models.QuerySet[Any]":
        requested_at = self.requested_at
        if isinstance(requested_at, str):
            requested_at = models.F(requested_at)
        rows: models.QuerySet[Any] = self.unconfirmed().alias(requested_at_for_purge=requested_at)
        return rows.filter(requested_at_for_purge__lt=self.cutoff(now))

    def purge(self, now: datetime.datetime) -> int:
        """Delete the stale rows; the number of this model's rows deleted (not cascades)."""
        _, per_model = self.stale(now).delete()
        deleted = per_model.get(self.model._meta.label, 0)
        if self.afterwards:
            self.afterwards(self.cutoff(now))
        if deleted:
            logger.info("Purged %s unconfirmed %s", deleted, self.model._meta.verbose_name_plural)
        return deleted


CONFIRMABLE: dict[str, Confirmable] = {}


def register(kind: Confirmable) -> None:
    """Add a kind (by its model, so a second ready() replaces rather than duplicates it)."""
    CONFIRMABLE[kind.model._meta.label] = kind


def purge_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Daily: forget every registered kind's unconfirmed rows kept past their time.

    Idempotent: a second run finds nothing left to delete.
    """
    now = now or timezone.now()
    return sum(kind.purge(now) for kind in CONFIRMABLE.values())
