"""One single (transactional) email waiting in, or gone through, the outbox."""

import datetime
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.outbox import Delivery

# Dates and times keep their type through the JSON column, so a template's |date filter
# renders them at send time exactly as it did from the object.
DATE_KEY = "__date__"
DATETIME_KEY = "__datetime__"


class ContextEncoder(DjangoJSONEncoder):
    def encode(self, o: Any) -> str:
        return super().encode(_tag(o))


def _tag(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {DATETIME_KEY: value.isoformat()}
    if isinstance(value, datetime.date):
        return {DATE_KEY: value.isoformat()}
    if isinstance(value, dict):
        return {key: _tag(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_tag(item) for item in value]
    return value


def _untag(value: dict[str, Any]) -> Any:
    if set(value) == {DATETIME_KEY}:
        return parse_datetime(value[DATETIME_KEY])
    if set(value) == {DATE_KEY}:
        return parse_date(value[DATE_KEY])
    return value


class ContextDecoder(json.JSONDecoder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, object_hook=_untag, **kwargs)


class OutboundEmail(Delivery):
    """A confirmation, reminder or staff notification: written in the transaction of the change
    that caused it, rendered and sent by core.single_messages.send_single once that commits.

    `context` holds plain data (and dates), never model instances: the template is rendered
    from it at send time. `kind` names the message in logs; addresses and tokens never go there.
    """

    kind = models.CharField(max_length=60)
    # What the message is about (e.g. a sign-up's id), for the kind's "still wanted" check at
    # send time (core.single_messages.register_still_wanted).
    about = models.CharField(max_length=100, blank=True)
    template = models.CharField(max_length=100)
    to = models.JSONField(default=list)
    context = models.JSONField(default=dict, encoder=ContextEncoder, decoder=ContextDecoder)
    headers = models.JSONField(default=dict, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    # [{"filename", "content", "mimetype"}] with text content (calendar files).
    attachments = models.JSONField(default=list, blank=True)
    # Addresses and context are blanked once it is sent (the account-deleted notice).
    forget_when_sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The resume: open rows due now, or claimed by a worker that died.
            models.Index(fields=["status", "next_attempt_at"], name="outbound_open_idx"),
            models.Index(fields=["status", "claimed_at"], name="outbound_claimed_idx"),
            # The retention prune.
            models.Index(fields=["created_at"], name="outbound_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"
