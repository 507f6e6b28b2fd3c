"""Phone numbers become PhoneNumberField, stored in E.164.

Numbers already stored are rewritten in E.164 where they parse (without a country code, as
dialled in PHONENUMBER_DEFAULT_REGION, when set). Ones that do not parse are kept as they were:
the field is optional, but a coordinator can still read what was typed and correct it.
"""

import phonenumber_field.modelfields
import phonenumbers
from django.conf import settings
from django.db import migrations


def e164_or_as_typed(value, region):
    text = str(value).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_e164(apps, schema_editor):
    region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)
    for model, field in (("Volunteer", "phone"), ("SignUp", "pending_phone")):
        rows = apps.get_model("volunteers", model).objects
        for pk, value in rows.exclude(**{field: ""}).values_list("pk", field).iterator():
            number = e164_or_as_typed(value, region)
            if number != value:
                rows.filter(pk=pk).update(**{field: number})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0005_message_deliveries")]

    operations = [
        migrations.RunPython(to_e164, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signup",
            name="pending_phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True,
                editable=False,
                help_text="Typed with the sign-up; unproven.",
                max_length=20,
                region=None,
            ),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, help_text="International format (E.164).", max_length=20, region=None
            ),
        ),
    ]
