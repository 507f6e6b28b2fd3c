"""Phone numbers: one form field (core.phones) and PhoneNumberField models, in E.164."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.admin.forms.models import formfield_for_dbfield

from campaigns.forms import AddContactForm
from campaigns.models import RegistrationContact
from core.phones import DOES_NOT_LOOK_RIGHT, WITH_COUNTRY_CODE, PhoneField
from tests.factories import add_volunteer, open_campaign, register_church
from volunteers.models import Volunteer

VOLUNTEER_MIGRATION = importlib.import_module("volunteers.migrations.0006_phone_numbers_in_e164")
CAMPAIGN_MIGRATION = importlib.import_module("campaigns.migrations.0009_phone_numbers_in_e164")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("98765 43210", WITH_COUNTRY_CODE),
        ("call me", WITH_COUNTRY_CODE),
        ("+44 12", DOES_NOT_LOOK_RIGHT),
    ],
)
def test_without_a_region_a_number_needs_its_country_code(typed, message):
    field = PhoneField()
    with pytest.raises(ValidationError, match=re.escape(message)):
        field.clean(typed)


def test_a_deployment_for_one_country_reads_local_numbers(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "IN"
    assert PhoneField().clean("098765 43210") == "+919876543210"
    assert PhoneField().clean("+1 415 555 2671") == "+14155552671", "others still with a +"
    settings.PHONENUMBER_DEFAULT_REGION = "US"
    assert PhoneField().clean("(415) 555-2671") == "+14155552671"


def test_a_contact_number_is_read_in_the_church_country():
    form = AddContactForm(country="IN")
    assert form.fields["phone"].clean("98765 43210") == "+919876543210"


@pytest.mark.django_db
def test_models_store_e164_and_give_back_a_phone_number():
    volunteer = add_volunteer(phone="+91 98765 43210")
    stored = Volunteer.objects.filter(pk=volunteer.pk).values_list("phone", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM volunteers_volunteer WHERE id = %s", [volunteer.pk])
        assert cursor.fetchone()[0] == "+919876543210"
    assert str(Volunteer.objects.get(pk=volunteer.pk).phone) == "+919876543210"
    assert stored.get() == "+919876543210"


def historical_apps(app, migration):
    return MigrationExecutor(connection).loader.project_state((app, migration)).apps


def raw_update(table, pk, phone):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = %s WHERE id = %s", [phone, pk])  # noqa: S608


def raw_phone(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_migration_writes_numbers_in_e164_and_keeps_what_does_not_parse():
    typed = {"+91 98765 43210": "+919876543210", "0044 20 7946 0958": "+442079460958"}
    kept = ["ring the office", "12345"]
    volunteers = {}
    for number, value in enumerate([*typed, *kept]):
        volunteer = add_volunteer(email=f"v{number}@example.org")
        raw_update("volunteers_volunteer", volunteer.pk, value)
        volunteers[volunteer.pk] = value
    old = historical_apps("volunteers", "0004_typed_details_wait_for_the_emailed_link")
    VOLUNTEER_MIGRATION.to_e164(old, SimpleNamespace(connection=connection))
    for pk, value in volunteers.items():
        assert raw_phone("volunteers_volunteer", pk) == typed.get(value, value)


@pytest.mark.django_db
def test_the_contact_migration_reads_local_numbers_in_the_church_country(site_pages):
    home, _news = site_pages
    contact = register_church(open_campaign(home), country="GB").contact
    raw_update("campaigns_registrationcontact", contact.pk, "020 7946 0958")
    old = historical_apps("campaigns", "0007_campaign_calls_to_action")
    CAMPAIGN_MIGRATION.to_e164(old, SimpleNamespace(connection=connection))
    assert raw_phone("campaigns_registrationcontact", contact.pk) == "+442079460958"


@pytest.mark.parametrize(
    ("model", "name"),
    [(Volunteer, "phone"), (RegistrationContact, "phone")],
)
def test_the_back_office_edits_numbers_with_the_same_field(model, name):
    field = formfield_for_dbfield(model._meta.get_field(name))
    assert isinstance(field, PhoneField)
    with pytest.raises(ValidationError, match=re.escape(WITH_COUNTRY_CODE)):
        field.clean("98765 43210")
