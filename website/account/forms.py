"""The one form of the account area: confirming that the account should be deleted."""

from django import forms

from core.mailing import normalise_email
from website.forms import EMAIL_MAX_LENGTH


class DeleteAccountForm(forms.Form):
    """The person types the account's address: a deletion is never one stray click."""

    email = forms.CharField(
        label="Type your email address to confirm",
        max_length=EMAIL_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Type your email address to confirm that you want to delete your account.",
            "max_length": "That is longer than any email address. Type your account’s address.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email"].help_text = f"Your account’s address is {user.email}."

    def clean_email(self):
        typed = self.cleaned_data["email"]
        if normalise_email(typed) != normalise_email(self.user.email):
            raise forms.ValidationError(
                "That is not your account’s address. Type the address shown above the box.",
                code="mismatch",
            )
        return typed
