"""The honeypot, fill-time stamp and rate limits every public form carries."""

import pytest
import time_machine
from django import forms
from django.test import RequestFactory, override_settings

from tests.factories import guarded
from website.formguard import STAMP_FIELD, TOO_QUICK, GuardedForm, new_stamp, rate_limit


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


def test_the_honeypot_is_not_listed_among_visible_fields():
    assert [field.name for field in NameForm().visible_fields()] == ["name"]


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"default": (2, 1, 3600)})
def test_rate_limit_per_ip_and_per_email(site_pages):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    assert rate_limit(request, "thing") is None
    assert rate_limit(request, "thing") is None
    limited = rate_limit(request, "thing")
    assert limited.status_code == 429
    assert b"Please wait a little" in limited.content
    assert limited["Retry-After"] == "3600"
    assert rate_limit(request, "thing", email="A@Example.org") is None
    assert rate_limit(request, "thing", email="a@example.org ").status_code == 429
    assert rate_limit(request, "other") is None
