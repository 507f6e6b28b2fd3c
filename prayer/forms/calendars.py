"""The form to receive a prayer calendar's daily entry by email."""

from django import forms

from core.formguard import GuardedForm
from core.mailing import normalise_email
from prayer.forms.subscriptions import TimeZoneSelect, time_zone_choices

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

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])
