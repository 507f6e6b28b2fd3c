"""allauth's account forms, bounded: an address longer than the column, or one no mail header
can carry, is refused, not a 500."""

from allauth.account import forms as allauth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from core.mailing import can_be_addressed

EMAIL_MAX_LENGTH = 254


def validate_addressable(value):
    """allauth emails the address during the request: sending to one that passes Django's
    validator but has no ASCII form (U+FFFD in its domain, say) would fail there."""
    if value and not can_be_addressed(value):
        raise ValidationError("Enter a valid email address.", code="invalid")


class BoundedEmailMixin:
    email_fields = ("email", "login")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.email_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            field.max_length = EMAIL_MAX_LENGTH
            field.validators += [MaxLengthValidator(EMAIL_MAX_LENGTH), validate_addressable]
            field.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)


class SignupForm(BoundedEmailMixin, allauth_forms.SignupForm):
    pass


class LoginForm(BoundedEmailMixin, allauth_forms.LoginForm):
    pass


class RequestLoginCodeForm(BoundedEmailMixin, allauth_forms.RequestLoginCodeForm):
    pass


class AddEmailForm(BoundedEmailMixin, allauth_forms.AddEmailForm):
    pass


class ResetPasswordForm(BoundedEmailMixin, allauth_forms.ResetPasswordForm):
    pass
