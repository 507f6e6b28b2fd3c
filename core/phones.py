"""Phone numbers on every public form: one field, stored by the models in E.164.

Models use django-phonenumber-field's PhoneNumberField; forms use `PhoneField`, which reads a
number with its "+country code" anywhere, and one without it as dialled in `region` (the
church's country, or PHONENUMBER_DEFAULT_REGION) when there is one.
"""

from typing import Any

from django import forms
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

MAX_TYPED_LENGTH = 32
WITH_COUNTRY_CODE = "Please give the number with its country code, like +91 98765 43210."
DOES_NOT_LOOK_RIGHT = (
    "That phone number does not look right. Please check it, with its country code, like "
    "+91 98765 43210."
)
TOO_LONG = "Please enter a shorter phone number (at most %(limit_value)d characters)."


class PhoneField(PhoneNumberField):
    """A phone number; bad input gets a message that says how to write it."""

    # validate() below says which of two things is wrong, where the package's validator
    # has one message for both.
    default_validators: list[Any] = []

    def __init__(self, *, region: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TYPED_LENGTH)
        # type="tel" brings up the phone keypad.
        kwargs.setdefault("widget", forms.TelInput(attrs={"autocomplete": "tel"}))
        kwargs["error_messages"] = {
            "max_length": TOO_LONG,
            "invalid": DOES_NOT_LOOK_RIGHT,
            "no_country_code": WITH_COUNTRY_CODE,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(region=region, **kwargs)

    def to_python(self, value: Any) -> Any:
        # "00" is how much of the world dials abroad: the same as "+".
        if isinstance(value, str) and value.strip().startswith("00"):
            value = "+" + value.strip()[2:]
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.max_length and len(value or "") > self.max_length:
            return  # "shorter, please" (the length validator, which runs next) says it best
        if isinstance(value, PhoneNumber) and not value.is_valid():
            # Unparsed (no country code it could read) or parsed but not a real number.
            code = "invalid" if value.country_code else "no_country_code"
            raise forms.ValidationError(self.error_messages[code], code=code)
