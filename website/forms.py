"""allauth's account forms, bounded: an address longer than the column is refused, not a 500."""

from allauth.account import forms as allauth_forms
from django.core.validators import MaxLengthValidator

EMAIL_MAX_LENGTH = 254


class BoundedEmailMixin:
    email_fields = ("email", "login")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.email_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            field.max_length = EMAIL_MAX_LENGTH
            field.validators.append(MaxLengthValidator(EMAIL_MAX_LENGTH))
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
