"""How the public forms lay out their fields (templates/forms/field.html, FORM_RENDERER).

Each snag a person ran into has its test: the anti-bot stamp shown once and never labelled,
a checkbox read as box, label, then help, every input named by one label, phone fields that
bring up the phone keypad, and the weekday of prayer updates asked only for weekly updates.
"""

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.urls import reverse

from core.formguard import HONEYPOT_FIELD, STAMP_FIELD, GuardedForm
from digests.links import preferences_url
from tests.digests.subscription_helpers import make_subscription, make_topic
from tests.factories import (
    add_opportunity,
    add_prayer_calendar,
    add_shift,
    add_vigil,
    guarded,
    open_campaign,
)
from tests.html_pages import label_problems, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_pages(site_pages):
    """Every public page with a form, by name: its path."""
    home, _news = site_pages
    make_topic("Children at risk")
    subscription = make_subscription(frequency="weekly", weekday=0, time_zone="UTC")
    campaign = open_campaign(home)
    shift = add_shift(add_opportunity(home))
    return {
        "subscribe": reverse("digests:subscribe"),
        "preferences": preferences_url(subscription.pk, subscription.link_version).removeprefix(
            "http://testserver"
        ),
        "prayer request": reverse("prayer:submit_request"),
        "prayer calendar": add_prayer_calendar(home).url,
        "vigil": add_vigil(home).url,
        "church registration": campaign.url,  # the form is on the campaign page
        "volunteer sign-up": reverse("volunteers:sign_up", args=[shift.pk]),
        "sign-up for an account": reverse("account_signup"),
        "sign in": reverse("account_login"),
    }


# Where a field's markup begins (its wrapper), or the next thing after it.
FIELD_START = re.compile(r'<div class="field[ "]|<fieldset|<button|</form>')


def tag_of(html, name):
    tags = re.findall(rf'<(?:input|select|textarea)[^>]*\bname="{name}"[^>]*>', html)
    assert len(tags) == 1, tags
    return tags[0]


def field_block(html, name):
    """The markup of the field whose input is `name`, from its wrapper's start to its end."""
    tag = tag_of(html, name)
    at = html.index(tag)
    starts = [m.start() for m in FIELD_START.finditer(html, 0, at)]
    following = FIELD_START.search(html, at)
    return html[starts[-1] : following.start() if following else len(html)]


def test_every_public_form_page_labels_each_input_once_and_repeats_no_id(client, form_pages):
    for name, path in form_pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        problems = label_problems(response.content.decode())
        assert not problems, (name, problems)


def test_the_prayer_calendars_email_box_has_its_label(client, form_pages):
    page = parse(client.get(form_pages["prayer calendar"]).content.decode())
    email = next(c for c in page.controls if c.get("type") == "email")
    assert page.ids[email["id"]] == 1
    assert page.label_texts[email["id"]] == "Email address"


def test_the_anti_bot_fields_come_once_and_the_stamp_has_no_label(client, form_pages):
    for name in ("subscribe", "prayer request", "prayer calendar", "vigil", "volunteer sign-up"):
        html = client.get(form_pages[name]).content.decode()
        assert html.count(f'name="{STAMP_FIELD}"') == 1, name
        assert html.count(f'name="{HONEYPOT_FIELD}"') == 1, name
        assert "Form started" not in html, name
        stamp = tag_of(html, STAMP_FIELD)
        assert 'type="hidden"' in stamp
        # The honeypot's label is inside the guard that hides it from people.
        guard = re.search(r'<div class="form-guard" aria-hidden="true">.*?</div>', html, re.S)
        assert guard and f'name="{HONEYPOT_FIELD}"' in guard.group(), name
        assert html.count("Leave this field empty") == 1, name


class AnyGuardedForm(GuardedForm, forms.Form):
    email = forms.EmailField(label="Email address")


def test_a_guarded_form_rendered_whole_still_hides_its_anti_bot_fields():
    html = str(AnyGuardedForm())
    assert html.count(f'name="{STAMP_FIELD}"') == 1
    assert "Form started" not in html
    assert re.search(
        rf'<div class="form-guard" aria-hidden="true"><label[^>]*>Leave this field empty</label>'
        rf'<input[^>]*name="{HONEYPOT_FIELD}"',
        html,
    )


@pytest.mark.parametrize("page", ["subscribe", "preferences"])
def test_a_checkbox_reads_box_then_label_then_help(client, form_pages, page):
    html = client.get(form_pages[page]).content.decode()
    block = field_block(html, "wants_restricted")
    box = block.index("<input")
    label = block.index("<label")
    help_text = block.index('class="field__help"')
    assert box < label < help_text
    assert "field--check" in block[:60]


def test_a_checkbox_with_an_error_keeps_its_order_and_names_the_error(client, form_pages):
    response = client.post(form_pages["prayer request"], guarded(text="Pray for us"))
    html = response.content.decode()
    block = field_block(html, "consent_to_publish")
    assert block.index("<input") < block.index("<label") < block.index("field__help")
    assert block.index("field__help") < block.index('class="errorlist"')
    box = tag_of(html, "consent_to_publish")
    assert 'aria-invalid="true"' in box
    assert 'aria-describedby="id_consent_to_publish_helptext id_consent_to_publish_error"' in box


def test_labels_follow_the_sites_style(client, form_pages):
    """One way everywhere: the label before its input, no colon, help text in field__help."""
    for name in ("subscribe", "prayer request", "church registration", "volunteer sign-up"):
        html = client.get(form_pages[name]).content.decode()
        page = parse(html)
        for control in page.labelled_controls():
            text = page.label_texts.get(control.get("id", ""), "")
            assert not text.endswith(":"), (name, text)
        assert 'class="helptext"' not in html, name


@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("volunteer sign-up", "phone"),
        ("church registration", "phone"),
    ],
)
def test_phone_fields_are_tel_inputs_once(client, form_pages, page, name):
    tag = tag_of(client.get(form_pages[page]).content.decode(), name)
    assert re.findall(r'\btype="([^"]*)"', tag) == ["tel"], tag
    assert 'autocomplete="tel"' in tag


def test_the_add_contact_phone_is_a_tel_input_the_browser_does_not_fill_with_mine(
    client, form_pages, site_pages
):
    from campaigns.forms import AddContactForm

    html = str(AddContactForm(country="GB")["phone"])
    assert re.findall(r'\btype="([^"]*)"', html) == ["tel"]
    assert 'autocomplete="off"' in html


@pytest.mark.parametrize(
    ("page", "name", "autocomplete"),
    [
        ("subscribe", "email", "email"),
        ("subscribe", "name", "name"),
        ("volunteer sign-up", "email", "email"),
        ("volunteer sign-up", "name", "name"),
        ("church registration", "email", "email"),
        ("church registration", "contact_name", "name"),
        ("prayer request", "email", "email"),
        ("prayer request", "name", "given-name"),
        ("prayer calendar", "email", "email"),
        ("vigil", "email", "email"),
    ],
)
def test_the_browser_may_fill_in_name_email_and_phone(client, form_pages, page, name, autocomplete):
    tag = tag_of(client.get(form_pages[page]).content.decode(), name)
    assert f'autocomplete="{autocomplete}"' in tag


@pytest.mark.parametrize("page", ["subscribe", "preferences"])
def test_the_weekday_is_in_view_without_javascript_and_says_it_is_for_weekly(
    client, form_pages, page
):
    html = client.get(form_pages[page]).content.decode()
    block = field_block(html, "weekday")
    assert " hidden" not in block[: block.index(">")]
    assert ">Day of the week</label>" in block
    assert "For weekly updates only." in block
    # static/js/shown-when.js hides it unless "Weekly" is chosen; no inline script (CSP).
    assert 'data-shown-when="frequency=weekly"' in tag_of(html, "weekday")
    assert re.search(r'<script src="/static/js/shown-when\.js[^"]*" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_weekday_script_shows_the_field_only_for_the_chosen_value():
    path = finders.find("js/shown-when.js")
    assert path
    script = Path(path).read_text(encoding="utf-8")
    assert "[data-shown-when]" in script
    assert "wrapper.hidden = !chosen" in script


def test_a_hidden_field_gets_no_label_or_wrapper():
    class WithHidden(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput, label="Token")

    html = WithHidden(initial={"token": "x"})["token"].as_field_group()
    assert html.strip().startswith("<input") and "<label" not in html
