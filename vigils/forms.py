"""The vigil sign-up form: slots chosen in the grid, an address, how to appear in public."""

import functools
import re

from django import forms
from django.utils import timezone

from core.formguard import GuardedForm
from core.mailing import normalise_email
from core.time_zones import TimeZoneSelect, time_zone_choices
from vigils.slots import format_local, parse_slot_key

REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def _regional_zones():
    return tuple((name, label) for name, label in time_zone_choices() if name.startswith(REGIONS))


def listed_zone_choices(current=None):
    """The zones a list offers: UTC and every "Region/City" (browsers report these), not the
    hundred legacy aliases (US/Eastern, Etc/GMT+5, Zulu ...) that only make the list, and the
    page, longer. ``current`` is listed whatever it is. The fields still accept every zone."""
    choices = [("UTC", "UTC"), *_regional_zones()]
    if current and current not in {name for name, _ in choices}:
        choices = sorted([*choices, (current, current.replace("_", " "))])
    return choices


UNSAFE_NAME = re.compile(r"[<>\x00-\x1f\x7f]")
MAX_SLOTS_AT_ONCE = 48


class SlotKeysField(forms.MultipleChoiceField):
    """The slots ticked in the grid, by UTC start; checked against the vigil in the form."""

    def valid_value(self, value):
        return True


class VigilSignupForm(GuardedForm, forms.Form):
    slots = SlotKeysField(
        label="Slots",
        error_messages={"required": "Choose at least one slot in the grid."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send your confirmation, a calendar file and reminders here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )
    display_name = forms.CharField(
        label="Name in the public grid (optional)",
        max_length=60,
        required=False,
        help_text="Leave empty to appear as “someone”.",
        error_messages={"max_length": "Keep the name to 60 characters or fewer."},
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        widget=TimeZoneSelect,
        initial="UTC",
        help_text="Times in your emails are in this zone.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    def __init__(self, *args, vigil, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vigil = vigil
        self.account_email = user.email if user is not None else None
        if self.account_email:
            # Signed-in people sign up with their verified address: nothing to type.
            del self.fields["email"]
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if UNSAFE_NAME.search(name):
            raise forms.ValidationError("Please write the name without < or > characters.")
        return name

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_slots(self):
        from vigils.models import VigilSlot

        keys = self.cleaned_data["slots"]
        if len(keys) > MAX_SLOTS_AT_ONCE:
            raise forms.ValidationError(f"Choose at most {MAX_SLOTS_AT_ONCE} slots at once.")
        starts = [parse_slot_key(key) for key in keys]
        if None in starts:
            raise forms.ValidationError("One of the slots chosen is not a slot of this vigil.")
        if len(set(starts)) != len(starts):
            raise forms.ValidationError("The same slot was chosen twice: choose each slot once.")
        slots = list(VigilSlot.objects.filter(vigil=self.vigil, starts_at__in=starts))
        found = {slot.starts_at for slot in slots}
        outside = [start for start in starts if start not in found]
        if outside:
            zone = self.vigil.zone
            named = ", ".join(
                f"{moment.astimezone(zone):%-d %B} {format_local(moment.astimezone(zone))}"
                for moment in outside[:3]
            )
            raise forms.ValidationError(f"Not a slot of this vigil: {named}. Choose from the grid.")
        now = timezone.now()
        started = [slot for slot in slots if slot.starts_at <= now]
        if started:
            raise forms.ValidationError(
                "Some slots chosen have already started or ended. Choose later slots."
            )
        return sorted(slots, key=lambda slot: slot.starts_at)

    @property
    def email_address(self):
        return self.account_email or self.cleaned_data["email"]


HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


class CalendarSubscribeForm(GuardedForm, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )
    hour = forms.TypedChoiceField(
        label="Time of day",
        choices=HOUR_CHOICES,
        coerce=int,
        initial=7,
        help_text="Each day's entry arrives at this hour where you are.",
        error_messages={"invalid_choice": "Choose an hour from the list."},
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        widget=TimeZoneSelect,
        initial="UTC",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    def __init__(self, *args, **kwargs):
        # Ids of its own: the page's section is already "calendar-email", and a label can only
        # name its input when no two elements share an id.
        kwargs.setdefault("auto_id", "calendar-subscribe-%s")
        super().__init__(*args, **kwargs)
        # static/js/timezone.js preselects the browser's zone; without JavaScript, UTC.
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""
        # A shorter list to choose from (the page stays light); any zone is still accepted.
        chosen = self.data.get("time_zone") if self.is_bound else None
        self.fields["time_zone"].widget.choices = listed_zone_choices(
            chosen if isinstance(chosen, str) and chosen in dict(time_zone_choices()) else None
        )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])
