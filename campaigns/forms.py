"""The church registration form, and the forms behind a registration's signed link.

Names may be written in any script. Only what cannot be part of a name is refused: angle
brackets (markup) and control characters.
"""

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from campaigns.models import Participation
from core.formguard import GuardedForm
from core.mailing import normalise_email
from core.phones import PhoneField

MAX_ATTENDANCE = 100_000
NOT_IN_NAMES = "Please use letters, numbers and punctuation only (no < or > signs)."


def plain_text(value):
    """Whitespace collapsed; ValidationError for markup or control characters."""
    if any(char in "<>" for char in value) or any(
        not char.isprintable() and not char.isspace() for char in value
    ):
        raise ValidationError(NOT_IN_NAMES, code="not_plain")
    return " ".join(value.split())


class PlainCharField(forms.CharField):
    def __init__(self, *, label, max_length, required=True, **kwargs):
        messages = {
            "required": f"Please fill in “{label.lower()}”.",
            "max_length": f"Please keep this to {max_length} characters or fewer.",
        }
        super().__init__(
            label=label,
            max_length=max_length,
            required=required,
            error_messages=messages,
            **kwargs,
        )

    def clean(self, value):
        # Refuse markup before the length check, so a pasted script gets the clearer message.
        if value and len(value) <= (self.max_length or 0) * 4:
            value = plain_text(value)
        return super().clean(value)


def country_choices():
    return [("", "Choose a country"), *countries]


class ContactFields(forms.Form):
    contact_name = PlainCharField(
        label="Your name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    role = PlainCharField(
        label="Your role at the church", max_length=100, help_text="Pastor or youth leader, say."
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please give an email address: the resource kit is sent there.",
            "invalid": "Please enter an email address like name@example.org.",
            "max_length": "Please enter a shorter email address.",
        },
    )
    phone = PhoneField(
        label="Phone (optional)",
        required=False,
        help_text="With its country code, like +44 20 7946 0000.",
    )
    consents_to_updates = forms.BooleanField(
        label="Send me updates about this campaign by email",
        required=False,
        help_text="A few emails before the day. Every one has a link to stop them.",
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A number without its country code is read as dialled in the church's country.
        country = str(self.phone_country())
        self.fields["phone"].region = country if country in countries else None

    def phone_country(self):
        """The church's country as typed in this form."""
        return self.data.get(self.add_prefix("country"), "") if self.is_bound else ""


class ChurchFields(forms.Form):
    church_name = PlainCharField(label="Church name", max_length=200)
    denomination = PlainCharField(label="Denomination (optional)", max_length=100, required=False)
    city = PlainCharField(label="Town or city", max_length=100)
    region = PlainCharField(label="Region or state (optional)", max_length=100, required=False)
    country = forms.ChoiceField(
        label="Country",
        choices=country_choices,
        error_messages={
            "required": "Please choose your country.",
            "invalid_choice": "Please choose a country from the list.",
        },
    )
    expected_attendance = forms.IntegerField(
        label="How many people do you expect on the day?",
        min_value=1,
        max_value=MAX_ATTENDANCE,
        error_messages={
            "required": "Please tell us roughly how many people you expect.",
            "invalid": "Please enter a whole number, like 120.",
            "min_value": "Please enter at least 1.",
            "max_value": f"Please enter a number up to {MAX_ATTENDANCE:,}.",
        },
    )
    participation = forms.MultipleChoiceField(
        label="How will your church take part?",
        choices=Participation.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Please choose at least one way your church will take part.",
            "invalid_choice": "Please choose from the ways listed.",
        },
    )
    listed_publicly = forms.BooleanField(
        label="You may list our church on the campaign page",
        required=False,
        help_text="Only its name, town and country are shown.",
    )


class RegistrationForm(GuardedForm, ChurchFields, ContactFields):
    field_order = [
        "church_name",
        "denomination",
        "city",
        "region",
        "country",
        "contact_name",
        "role",
        "email",
        "phone",
        "expected_attendance",
        "participation",
        "listed_publicly",
        "consents_to_updates",
    ]


class ChurchDetailsForm(ChurchFields):
    """Editing a registration through its signed link."""

    @classmethod
    def for_registration(cls, registration, data=None):
        initial = {
            field: getattr(registration, field)
            for field in (
                "church_name",
                "denomination",
                "city",
                "region",
                "expected_attendance",
                "listed_publicly",
            )
        }
        initial["country"] = registration.country.code
        initial["participation"] = registration.participation
        return cls(data=data, initial=initial, prefix="church")


class AddContactForm(ContactFields):
    """A second person at the church, added through the registration's signed link."""

    def __init__(self, *args, country="", **kwargs):
        self.country = country
        super().__init__(*args, prefix="contact", **kwargs)
        self.fields["contact_name"].label = "Their name"
        self.fields["role"].label = "Their role at the church"
        self.fields["consents_to_updates"].label = "They agreed to receive campaign updates"
        # Someone else's details: the browser must not offer the visitor's own.
        for name in ("contact_name", "email", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def phone_country(self):
        return self.country
