"""The shift form: coordinators type local times in the shift's own time zone."""

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateTimeInput

from volunteers.models import Shift

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def to_local_naive(value, zone):
    return value.astimezone(zone).replace(tzinfo=None) if value else None


def to_aware(value, zone):
    """A naive local time in `zone` (the admin widget's value) as an aware datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=None).replace(tzinfo=zone)


class ShiftForm(WagtailAdminModelForm):
    start = forms.DateTimeField(widget=AdminDateTimeInput, label="Starts (local time)")
    end = forms.DateTimeField(widget=AdminDateTimeInput, label="Ends (local time)")
    deadline = forms.DateTimeField(
        widget=AdminDateTimeInput,
        required=False,
        label="Sign-up deadline (local time)",
        help_text="Empty: sign-up closes when the shift starts.",
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="Asia/Kolkata")

    class Meta:
        model = Shift
        fields = ["opportunity", "time_zone", "capacity", "notes", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = self.instance.zone
            self.initial["start"] = to_local_naive(self.instance.starts_at, zone)
            self.initial["end"] = to_local_naive(self.instance.ends_at, zone)
            self.initial["deadline"] = to_local_naive(self.instance.signup_deadline, zone)
        self.order_fields(["opportunity", "start", "end", "time_zone", "capacity", "deadline"])

    def clean(self):
        cleaned = super().clean()
        zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or "UTC")
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            starts_at, ends_at = to_aware(start, zone), to_aware(end, zone)
            if ends_at <= starts_at:
                self.add_error("end", "The shift must end after it starts.")
            elif ends_at - starts_at > datetime.timedelta(hours=24):
                self.add_error("end", "A shift lasts at most 24 hours.")
            moved = not self.instance.pk or starts_at != self.instance.starts_at
            if moved and starts_at <= timezone.now():
                self.add_error("start", "Choose a time in the future.")
            cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
            deadline = to_aware(cleaned.get("deadline"), zone)
            if deadline and deadline > starts_at:
                self.add_error("deadline", "The deadline must be before the shift starts.")
            cleaned["signup_deadline"] = deadline
        capacity = cleaned.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.confirmed_count:
            confirmed = self.instance.confirmed_count
            self.add_error(
                "capacity",
                ngettext(
                    "%(count)d volunteer is confirmed: cancel sign-ups before lowering the "
                    "capacity below that.",
                    "%(count)d volunteers are confirmed: cancel sign-ups before lowering the "
                    "capacity below that.",
                    confirmed,
                )
                % {"count": confirmed},
            )
        return cleaned

    def save(self, commit=True):
        for field in ("starts_at", "ends_at", "signup_deadline"):
            setattr(self.instance, field, self.cleaned_data[field])
        return super().save(commit=commit)
