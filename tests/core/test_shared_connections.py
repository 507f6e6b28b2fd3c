"""Shared connections are normal (issue 14).

A congregation asked from the pulpit to sign up shares one church Wi-Fi; a mobile carrier puts
many people behind one address (CGNAT). Every public form lets a full church hall through from
one IP, the per-address limits carry the protection, every number lives in `RATE_LIMITS`, and
a form over a limit comes back with what was typed and a notice above it (429), never a page
that throws the answers away.
"""

import ast
import datetime
import html as html_lib
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core import mail
from django.test import RequestFactory, override_settings

from core.formguard import (
    LIMITED_ADDRESS,
    LIMITED_CONNECTION,
    error_status,
    within_limits,
)
from tests.campaigns.conftest import register_url
from tests.factories import (
    UserFactory,
    add_opportunity,
    add_prayer_calendar,
    add_shift,
    add_vigil,
    guarded,
    open_campaign,
    registration_form_data,
)
from vigils.slots import slot_key

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("website", "prayer", "digests", "vigils", "campaigns", "volunteers")
NOW = datetime.datetime(2026, 2, 20, 12, tzinfo=datetime.UTC)
CHURCH_WIFI = "192.0.2.77"
PUBLIC_SCOPES = (
    "prayer-subscribe",
    "calendar-subscribe",
    "vigil-signup",
    "volunteer-signup",
    "campaign-registration",
    "prayer-request",
)


@dataclass
class PublicForm:
    scope: str
    url: str
    fields: dict  # everything a person typed, but the email address
    typed: tuple  # how some of it must appear in the page that comes back

    def data(self, email):
        return guarded({**self.fields, "email": email})


def prayer_subscribe(home):
    fields = {"name": "Ruth Okonkwo", "frequency": "weekly", "weekday": "2"}
    fields["time_zone"] = "Europe/Berlin"
    return PublicForm(
        "prayer-subscribe",
        "/pray/subscribe/",
        fields,
        ('value="Ruth Okonkwo"', '<option value="Europe/Berlin" selected>'),
    )


def prayer_request(home):
    fields = {
        "text": "Please pray for the new bakery course at the centre.",
        "title": "Bakery course",
        "wants_reply": "on",
        "name": "Grace",
        "consent_to_publish": "on",
    }
    return PublicForm(
        "prayer-request",
        "/pray/request/",
        fields,
        ("Please pray for the new bakery course at the centre.</textarea>", 'value="Grace"'),
    )


def calendar_subscribe(home):
    calendar = add_prayer_calendar(home, days=3, start_date=datetime.date(2026, 3, 1))
    return PublicForm(
        "calendar-subscribe",
        calendar.url + "subscribe/",
        {"hour": "6", "time_zone": "Asia/Tokyo"},
        ('<option value="6" selected>', '<option value="Asia/Tokyo" selected>'),
    )


def vigil_signup(home):
    vigil = add_vigil(home, capacity=1)  # 2026-03-01 20:00 to 03-02 08:00 UTC, hourly
    first = slot_key(datetime.datetime(2026, 3, 1, 21, tzinfo=datetime.UTC))
    fields = {"slots": [first], "display_name": "Ruth at St Mark's", "time_zone": "UTC"}
    fields["tz"] = "UTC"
    return PublicForm(
        "vigil-signup",
        vigil.url + "signup/",
        fields,
        ('value="Ruth at St Mark&#x27;s"', f'id="pick-{first}" checked'),
    )


def volunteer_signup(home):
    shift = add_shift(add_opportunity(home, minimum_age=16), capacity=5)
    fields = {
        "name": "Priya D'Souza",
        "phone": "+91 98765 43210",
        "age_confirmed": "on",
        "code_of_conduct": "on",
    }
    return PublicForm(
        "volunteer-signup",
        f"/volunteer/shifts/{shift.pk}/sign-up/",
        fields,
        ('value="Priya D&#x27;Souza"', 'value="+91 98765 43210"'),
    )


def campaign_registration(home):
    campaign = open_campaign(home)
    fields = registration_form_data(church_name="Hope Chapel Leeds", city="Leeds")
    del fields["email"]
    return PublicForm(
        "campaign-registration",
        register_url(campaign),
        fields,
        ('value="Hope Chapel Leeds"', 'value="Leeds"', 'value="Sarah Okafor"'),
    )


BUILDERS = {
    "prayer-subscribe": prayer_subscribe,
    "prayer-request": prayer_request,
    "calendar-subscribe": calendar_subscribe,
    "vigil-signup": vigil_signup,
    "volunteer-signup": volunteer_signup,
    "campaign-registration": campaign_registration,
}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(params=PUBLIC_SCOPES)
def public_form(request, site_pages):
    home, _news = site_pages
    return BUILDERS[request.param](home)


def limits(scope, ip=(1000, 600), email=(1000, 3600)):
    return override_settings(
        RATE_LIMITS={**settings.RATE_LIMITS, scope: {"ip": ip, "email": email}}
    )


def assert_form_kept(response, form, email, notice):
    page = response.content.decode()
    assert response.status_code == 429
    assert notice in html_lib.unescape(page)
    assert f'value="{email}"' in page
    for typed in form.typed:
        assert typed in page, typed
    assert page.index(html_lib.escape(notice)) < page.index(f'value="{email}"'), "notice above"
    before = page[: page.index(html_lib.escape(notice))]
    assert 'role="alert"' in before[-300:], "screen readers announce the notice"
    assert "Please correct" not in page, "nothing needs correcting"


def test_over_the_per_ip_limit_the_form_comes_back_with_what_was_typed(client, public_form):
    with limits(public_form.scope, ip=(1, 600)):
        first = client.post(public_form.url, public_form.data("first@example.org"))
        assert first.status_code == 302, first.content.decode()[:3000]
        again = client.post(
            public_form.url, public_form.data("second@example.org"), REMOTE_ADDR="192.0.2.5"
        )
        assert again.status_code == 302, "another connection is not held back"
        sent = len(mail.outbox)
        refused = client.post(public_form.url, public_form.data("third@example.org"))

    assert_form_kept(refused, public_form, "third@example.org", LIMITED_CONNECTION)
    assert len(mail.outbox) == sent, "nothing sent for the refused form"


def test_over_the_per_address_limit_the_form_comes_back_with_what_was_typed(client, public_form):
    with limits(public_form.scope, email=(1, 3600)):
        first = client.post(public_form.url, public_form.data("same@example.org"))
        assert first.status_code == 302, first.content.decode()[:3000]
        sent = len(mail.outbox)
        refused = client.post(
            public_form.url, public_form.data("Same@Example.org"), REMOTE_ADDR="192.0.2.6"
        )
        assert len(mail.outbox) == sent, "nothing sent for the refused form"
        other = client.post(public_form.url, public_form.data("other@example.org"))

    assert_form_kept(refused, public_form, "Same@Example.org", LIMITED_ADDRESS)
    assert other.status_code == 302, "another address from the same connection goes through"


def test_a_refused_form_sent_again_later_goes_through(client, public_form, time_machine):
    with limits(public_form.scope, ip=(1, 600)):
        client.post(public_form.url, public_form.data("first@example.org"))
        refused = client.post(public_form.url, public_form.data("later@example.org"))
        assert refused.status_code == 429
        time_machine.move_to(NOW + datetime.timedelta(minutes=11), tick=False)
        retried = client.post(public_form.url, public_form.data("later@example.org"))
    assert retried.status_code == 302


def test_mistakes_are_not_counted_against_the_connection(client, public_form):
    with limits(public_form.scope, ip=(1, 600)):
        wrong = client.post(public_form.url, public_form.data("not-an-address"))
        assert wrong.status_code in (200, 400), "the mistake is shown, nothing is limited"
        assert LIMITED_CONNECTION not in html_lib.unescape(wrong.content.decode())
        right = client.post(public_form.url, public_form.data("right@example.org"))
    assert right.status_code == 302


@pytest.mark.parametrize("scope", PUBLIC_SCOPES)
def test_each_public_form_lets_a_full_church_hall_through_from_one_ip(scope):
    per_ip, _window = settings.RATE_LIMITS[scope]["ip"]
    per_address, address_window = settings.RATE_LIMITS[scope]["email"]
    assert per_ip >= 100, "100 sign-ups from one church Wi-Fi in ten minutes"
    assert per_address <= 10 and address_window >= 60 * 60, "the protection is per address"


def test_the_prayed_button_lets_a_hall_pray_through_the_wall():
    per_request, per_request_window = settings.RATE_LIMITS["prayed"]["ip-per-request"]
    per_hour, hour = settings.RATE_LIMITS["prayed"]["ip"]
    assert per_request >= 100 and per_request_window == 24 * 60 * 60
    assert per_hour >= 100 * 10 and hour == 60 * 60, "a hall praying for ten requests each"


# The mechanism: one function, any form.


def test_within_limits_adds_the_notice_to_any_form():
    def NameForm():  # noqa: N802  # a form as a view has it: bound and validated
        form = forms.Form({})
        assert form.is_valid()
        return form

    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    scope = {"thing": {"ip": (2, 60), "email": (1, 60)}}
    with override_settings(RATE_LIMITS=scope):
        assert within_limits(request, NameForm(), "thing", email="A@Example.org")
        form = NameForm()
        assert not within_limits(request, form, "thing", email="a@example.org ")
        assert form.non_field_errors() == [LIMITED_ADDRESS] and error_status(form) == 429
        form = NameForm()
        assert not within_limits(request, form, "thing")
        assert form.non_field_errors() == [LIMITED_CONNECTION] and form.rate_limited
        other = RequestFactory().post("/", REMOTE_ADDR="203.0.113.10")
        assert within_limits(other, NameForm(), "thing")
    assert error_status(NameForm()) == 400


def test_a_scope_missing_from_the_settings_is_an_error_not_no_limit():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    with override_settings(RATE_LIMITS={}), pytest.raises(KeyError):
        within_limits(request, forms.Form({}), "prayer-subscribe")


# No number outside RATE_LIMITS.


def limit_calls():
    """(module, call) for every rate-limit call in the apps' code."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or "settings" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                    yield module, name, node


def constant(module, node):
    if isinstance(node, ast.Constant):
        return node.value
    assert isinstance(node, ast.Name), f"{module}: name the scope with a constant"
    return getattr(importlib.import_module(module), node.id)


def test_every_limit_in_code_is_a_named_scope_in_rate_limits():
    used = set()
    for module, name, call in limit_calls():
        if name == "allow":
            assert module == "core.ratelimit", f"{module} counts hits outside RATE_LIMITS"
        elif name == "within_limits":
            scope = constant(module, call.args[2])
            assert {"ip", "email"} <= set(settings.RATE_LIMITS[scope]), (module, scope)
            assert any(keyword.arg == "email" for keyword in call.keywords), (
                f"{module}: {scope} is limited per address too"
            )
            used.add(scope)
        elif name == "within_limit" and module != "core.formguard":
            scope, counted = (constant(module, arg) for arg in call.args[:2])
            assert counted in settings.RATE_LIMITS[scope], (module, scope, counted)
            used.add(scope)
    assert used == set(settings.RATE_LIMITS), "every scope is used, every use has a scope"
    assert set(PUBLIC_SCOPES) < used


def test_the_readme_lists_every_scope():
    readme = (ROOT / "README.md").read_text()
    for scope in settings.RATE_LIMITS:
        assert f"| `{scope}` |" in readme, scope


def test_the_one_click_volunteer_sign_up_is_limited_the_same_way(client, site_pages):
    home, _news = site_pages
    opportunity = add_opportunity(home)
    first, second = add_shift(opportunity), add_shift(opportunity)
    client.force_login(UserFactory())
    with limits("volunteer-signup", ip=(1, 600)):
        done = client.post(f"/volunteer/shifts/{first.pk}/sign-up/", {"age_confirmed": "on"})
        refused = client.post(f"/volunteer/shifts/{second.pk}/sign-up/", {"age_confirmed": "on"})
    page = refused.content.decode()
    assert done.status_code == 302
    assert refused.status_code == 429
    assert html_lib.escape(LIMITED_CONNECTION) in page
    assert "Sign me up" in page, "the form is back, to send again"
    assert not second.signups.exists()


def test_the_one_click_volunteer_sign_up_is_limited_per_address_from_any_connection(
    client, site_pages
):
    home, _news = site_pages
    opportunity = add_opportunity(home)
    first, second = add_shift(opportunity), add_shift(opportunity)
    client.force_login(UserFactory())
    with limits("volunteer-signup", email=(1, 3600)):
        done = client.post(
            f"/volunteer/shifts/{first.pk}/sign-up/",
            {"age_confirmed": "on"},
            REMOTE_ADDR="10.0.0.1",
        )
        refused = client.post(
            f"/volunteer/shifts/{second.pk}/sign-up/",
            {"age_confirmed": "on"},
            REMOTE_ADDR="10.0.0.2",
        )
    assert done.status_code == 302
    assert refused.status_code == 429
    assert html_lib.escape(LIMITED_ADDRESS) in refused.content.decode()
    assert not second.signups.exists()


def test_a_church_hall_creates_accounts_from_one_connection(client, settings):
    """allauth's own sign-up limit (20 a minute per IP by default) lets a hall through."""
    from allauth.account.models import EmailAddress

    settings.ACCOUNT_EMAIL_VERIFICATION = "none"  # no code step: each sign-up ends at once
    for number in range(60):
        client.logout()
        response = client.post(
            "/accounts/signup/",
            {
                "email": f"member{number}@example.org",
                "password1": "a long prayer 4 the hall",
                "password2": "a long prayer 4 the hall",
            },
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302, f"sign-up {number + 1} refused"
    assert EmailAddress.objects.filter(email__startswith="member").count() == 60


def test_account_sign_ups_from_one_connection_still_have_a_ceiling(settings):
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["signup"] == "200/10m/ip"
    assert app_settings.RATE_LIMITS["login_failed"], "allauth's sign-in limits are kept"
