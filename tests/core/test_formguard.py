"""The honeypot and fill-time stamp every public form carries (its rate limits:
test_shared_connections.py)."""

import re

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from campaigns.models import ChurchRegistration
from core.formguard import (
    STAMP_FIELD,
    TOO_OLD,
    TOO_QUICK,
    GuardedForm,
    new_stamp,
)
from prayer.models import PrayerRequest
from tests.factories import guarded, open_campaign, registration_form_data

TWO_HOURS = 2 * 60 * 60
STAMP_IN_PAGE = re.compile(rf'name="{STAMP_FIELD}" value="([^"]+)"')


class NameForm(GuardedForm, forms.Form):
    name = forms.CharField(max_length=20)


def test_a_form_with_a_valid_stamp_passes():
    form = NameForm(guarded(name="Asha"))
    assert not form.is_bot
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Asha"


def test_the_honeypot_marks_a_bot():
    form = NameForm(guarded(name="Asha", website="http://spam.example"))
    assert form.is_bot


def test_missing_or_forged_stamp_is_refused_with_a_message():
    for stamp in ["", "12345", new_stamp() + "x", "A" * 5000]:
        form = NameForm({"name": "Asha", STAMP_FIELD: stamp})
        assert not form.is_valid()
        assert form.non_field_errors() == [TOO_QUICK]


@override_settings(PUBLIC_FORM_MIN_FILL_SECONDS=3)
def test_a_form_sent_too_quickly_comes_back_once_and_then_passes():
    with time_machine.travel("2026-11-24 10:00:00", tick=False) as traveller:
        shown = NameForm()
        stamp = shown.initial[STAMP_FIELD]
        form = NameForm({"name": "Asha", STAMP_FIELD: stamp})
        assert not form.is_valid()
        assert form.non_field_errors() == [TOO_QUICK]
        # The form comes back with what was typed and a fresh stamp.
        assert form["name"].value() == "Asha"
        fresh = form.data[STAMP_FIELD]
        traveller.shift(4)
        assert NameForm({"name": "Asha", STAMP_FIELD: fresh}).is_valid()


def test_a_stamp_expires_after_two_hours_by_default():
    assert settings.PUBLIC_FORM_MAX_AGE_SECONDS == TWO_HOURS


def test_a_form_sent_within_two_hours_passes():
    with time_machine.travel("2026-11-24 10:00:00", tick=False) as traveller:
        stamp = NameForm().initial[STAMP_FIELD]
        traveller.shift(TWO_HOURS - 1)
        assert NameForm({"name": "Asha", STAMP_FIELD: stamp}).is_valid()


def test_a_form_sent_after_two_hours_comes_back_with_everything_typed_and_then_passes():
    with time_machine.travel("2026-11-24 10:00:00", tick=False) as traveller:
        stamp = NameForm().initial[STAMP_FIELD]
        traveller.shift(TWO_HOURS + 1)
        form = NameForm({"name": "Asha", STAMP_FIELD: stamp})
        assert not form.is_valid()
        assert form.non_field_errors() == [TOO_OLD]
        assert form["name"].value() == "Asha"
        fresh = form.data[STAMP_FIELD]
        traveller.shift(60)
        assert NameForm({"name": "Asha", STAMP_FIELD: fresh}).is_valid()


@override_settings(PUBLIC_FORM_MAX_AGE_SECONDS=600)
def test_the_age_limit_is_a_setting():
    with time_machine.travel("2026-11-24 10:00:00", tick=False) as traveller:
        stamp = NameForm().initial[STAMP_FIELD]
        traveller.shift(601)
        assert NameForm({"name": "Asha", STAMP_FIELD: stamp}).non_field_errors() == [TOO_OLD]


def shown_then_sent_late(client, url, data):
    """Open the form's page, come back after more than two hours and send what was typed."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        (stamp,) = STAMP_IN_PAGE.findall(client.get(url, follow=True).content.decode())
        traveller.shift(TWO_HOURS + 5 * 60)
        late = client.post(url, {**data, STAMP_FIELD: stamp})
        traveller.shift(30)
        (fresh,) = STAMP_IN_PAGE.findall(late.content.decode())
        again = client.post(url, {**data, STAMP_FIELD: fresh})
    return late, again


@pytest.mark.django_db
def test_an_old_prayer_request_form_comes_back_whole_and_is_then_received(client, site_pages):
    typed = {
        "title": "Safe work for my friend",
        "text": "Please pray for my friend who is looking for safe work.",
        "consent_to_publish": "on",
    }

    late, again = shown_then_sent_late(client, "/pray/request/", typed)

    assert late.status_code == 200
    page = late.content.decode()
    assert TOO_OLD in page
    assert "Safe work for my friend" in page and "looking for safe work." in page
    assert again.status_code == 302
    assert PrayerRequest.objects.get().title == "Safe work for my friend"


@pytest.mark.django_db
def test_an_old_church_registration_comes_back_whole_and_is_then_received(client, site_pages):
    campaign = open_campaign(site_pages[0])
    url = campaign.url + campaign.reverse_subpage("register")
    typed = registration_form_data(church_name="Hope Chapel", contact_name="Grace Mensah")

    late, again = shown_then_sent_late(client, url, typed)

    assert late.status_code == 400
    page = late.content.decode()
    assert TOO_OLD in page
    assert "Hope Chapel" in page and "Grace Mensah" in page
    assert again.status_code == 302
    assert ChurchRegistration.objects.get().church_name == "Hope Chapel"


def test_the_honeypot_is_not_listed_among_visible_fields():
    assert [field.name for field in NameForm().visible_fields()] == ["name"]
