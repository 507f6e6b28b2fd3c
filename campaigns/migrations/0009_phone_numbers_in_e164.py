"""Contacts' phone numbers become PhoneNumberField, stored in E.164.

Numbers already stored are rewritten in E.164 where they parse (without a country code, as
dialled in the church's country, as the form reads them). Ones that do not parse are kept as
they were: the field is optional, but a coordinator can still read what was typed.
"""

import phonenumber_field.modelfields
import phonenumbers
from django.db import migrations


def e164_or_as_typed(value, region):
    text = str(value).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_e164(apps, schema_editor):
    contacts = apps.get_model("campaigns", "RegistrationContact").objects
    rows = contacts.exclude(phone="").values_list("pk", "phone", "registration__country")
    for pk, value, country in rows.iterator():
        number = e164_or_as_typed(value, country)
        if number != value:
            contacts.filter(pk=pk).update(phone=number)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0008_update_delivery_on_outbox")]

    operations = [
        migrations.RunPython(to_e164, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registrationcontact",
            name="phone",
            field=phonenumber_field.modelfields.PhoneNumberField(
                blank=True, help_text="International format.", max_length=32, region=None
            ),
        ),
    ]
