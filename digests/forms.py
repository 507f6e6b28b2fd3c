"""Forms for signing up to prayer digests and changing what arrives."""

import re
from contextlib import suppress

from django import forms

from core.formguard import GuardedForm
from core.mailing import normalise_email
from core.time_zones import TimeZoneSelect, time_zone_choices
from digests.models import Subscription
from prayer.models import Topic

MAX_ID = 2**63 - 1  # the largest id a database column holds
# Angle brackets never belong in a name; control characters break email headers.
UNSAFE_NAME = re.compile(r"[<>\x00-\x1f\x7f]")


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name

    def clean(self, value):
        # Django queries the ids with IN, which SQLite cannot take past its integer range
        # (OverflowError): such a number is no topic.
        for pk in value if isinstance(value, list | tuple) else ():
            with suppress(TypeError, ValueError):
                if abs(int(pk)) > MAX_ID:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


class PreferencesFields(forms.Form):
    """What a supporter chooses, on the sign-up form and in the preference centre."""

    name = forms.CharField(
        label="Your name (optional)",
        max_length=100,
        required=False,
        help_text="So we can greet you. Any script is welcome.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    topics = TopicChoiceField(
        label="Topics",
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none to hear about every topic.",
        error_messages={
            "invalid_choice": "Choose topics from the list.",
            "invalid_pk_value": "Choose topics from the list.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose daily, weekly or monthly."},
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        choices=[("", "Choose a day"), *Subscription.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        initial=Subscription.Weekday.MONDAY,
        help_text="For weekly updates only.",
        # static/js/shown-when.js shows the field only while "Weekly" is chosen; without
        # JavaScript it stays in view, and its help text says when it counts.
        widget=forms.Select(attrs={"data-shown-when": "frequency=weekly"}),
        error_messages={"invalid_choice": "Choose a day of the week."},
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        widget=TimeZoneSelect,
        initial="UTC",
        help_text="Updates arrive in the morning where you are.",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )
    wants_restricted = forms.BooleanField(
        label="Include restricted prayer items",
        required=False,
        help_text=(
            "Some requests carry details that must stay private to protect the people in them. "
            "We send those only after our staff have verified who you are; until then your "
            "updates leave them out."
        ),
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if UNSAFE_NAME.search(name):
            raise forms.ValidationError("Please write your name without < or > characters.")
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("frequency") == Subscription.Frequency.WEEKLY:
            if cleaned.get("weekday") is None and "weekday" not in self.errors:
                self.add_error("weekday", "Choose the day your weekly update should arrive.")
        elif "weekday" not in self.errors:
            cleaned["weekday"] = Subscription.Weekday.MONDAY
        return cleaned

    def preferences(self):
        """The chosen preferences as plain data, as kept in `pending_changes`."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "topics": sorted(topic.pk for topic in data["topics"]),
            "frequency": data["frequency"],
            "weekday": data["weekday"],
            "time_zone": data["time_zone"],
            "wants_restricted": data["wants_restricted"],
        }


class SubscribeForm(GuardedForm, PreferencesFields):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )
    field_order = ["email", "name", "topics", "frequency", "weekday", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # static/js/timezone.js preselects the browser's zone; without JavaScript, UTC.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class PreferencesForm(PreferencesFields):
    @classmethod
    def for_subscription(cls, subscription, data=None):
        initial = {
            "name": subscription.name,
            "topics": list(subscription.topics.all()),
            "frequency": subscription.frequency,
            "weekday": subscription.weekday,
            "time_zone": subscription.time_zone,
            "wants_restricted": subscription.wants_restricted,
        }
        return cls(data=data, initial=initial)
