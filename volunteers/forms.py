"""The public sign-up forms. Bad input is answered with a message, never stored."""

import unicodedata

from django import forms

from core.formguard import GuardedForm
from core.mailing import normalise_email
from core.phones import PhoneField

NAME_MAX = 150


def clean_person_name(value):
    """Any script and punctuation (Devanagari, “D'Souza”); no markup or control characters."""
    value = " ".join((value or "").split())
    if not value:
        raise forms.ValidationError("Please tell us your name.")
    if any(char in "<>" for char in value):
        raise forms.ValidationError("Names cannot contain < or >.")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") for char in value):
        raise forms.ValidationError("Your name contains characters we cannot store.")
    return value


class RequirementsMixin:
    """The age and code-of-conduct confirmations an opportunity asks for."""

    def add_requirement_fields(self, opportunity):
        self.fields["age_confirmed"] = forms.BooleanField(
            label=f"I am at least {opportunity.minimum_age} years old",
            required=True,
            error_messages={
                "required": f"This role is for people aged {opportunity.minimum_age} or over."
            },
        )
        if opportunity.requires_code_of_conduct:
            self.fields["code_of_conduct"] = forms.BooleanField(
                label="I will follow the volunteer code of conduct",
                required=True,
                error_messages={"required": "Please agree to follow the code of conduct."},
            )


class SignUpForm(RequirementsMixin, GuardedForm, forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please tell us your name."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Please give your email address: we send the link there."},
    )
    phone = PhoneField(
        label="Phone number",
        error_messages={"required": "Please give a phone number the coordinator can call."},
        help_text="With the country code, e.g. +91 98765 43210. Coordinators call if plans change.",
    )

    def __init__(self, *args, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_requirement_fields(opportunity)

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class AccountSignUpForm(RequirementsMixin, forms.Form):
    """One click for a signed-in volunteer; the boxes show only until they were ticked once."""

    def __init__(self, *args, opportunity, volunteer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_requirement_fields(opportunity)
        # Signed-in volunteers agree by clicking: the button's text says so.
        self.fields.pop("code_of_conduct", None)
        if volunteer is not None and volunteer.confirmed_age >= opportunity.minimum_age:
            self.fields["age_confirmed"].required = False
            self.fields["age_confirmed"].widget = forms.HiddenInput()
            self.initial["age_confirmed"] = "on"


class MessageShiftForm(forms.Form):
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 10}), label="Message"
    )
    include_waitlist = forms.BooleanField(
        required=False, label="Also send to people on the waitlist"
    )
