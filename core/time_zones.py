"""Time zones as every app stores and offers them: validated IANA names, a safe lookup that
falls back to UTC, and the select that lists them (digests, vigils, calendars, volunteers)."""

import zoneinfo
from functools import cache
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list.")


def zone_or_utc(name):
    """The named time zone, or UTC when the name is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@cache
def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


@cache
def known_zones():
    """The zone names a visitor may choose (a set, for membership tests on every request)."""
    return frozenset(name for name, _ in time_zone_choices())


class TimeZoneSelect(forms.Select):
    """The ~600 zones written out in plain Python: a template per option cost 35-50 ms a page."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(zone)}"{" selected" if zone in chosen else ""}>'
            f"{escape(label)}</option>"
            for zone, label in self.choices
        )
        attrs = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attrs}>{options}</select>")  # noqa: S308 - escaped above
