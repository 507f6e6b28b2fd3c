"""Bad input on every form is answered with a clear 400, never a 500, and nothing is stored."""

import pytest
from django.core import mail

from core.phones import PhoneField
from tests.factories import UserFactory, add_opportunity, add_shift
from tests.volunteers.helpers import form_data
from volunteers.models import SignUp, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(site_pages):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home, minimum_age=16), capacity=2)
    return f"/volunteer/shifts/{shift.pk}/sign-up/"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Please tell us your name."),
        ({"name": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"name": "<script>alert(1)</script>"}, "Names cannot contain &lt; or &gt;."),
        ({"name": "Asha\x00"}, "Null characters are not allowed"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "a" * 10_000 + "@example.org"}, "at most 254 characters"),
        ({"phone": "12345"}, "with its country code"),
        ({"phone": "+44 12"}, "does not look right"),
        ({"phone": "9" * 10_000}, "at most 32 characters"),
        ({"age_confirmed": ""}, "This role is for people aged 16 or over."),
        ({"code_of_conduct": ""}, "Please agree to follow the code of conduct."),
    ],
)
def test_bad_signups_are_refused_clearly(client, url, fields, message):
    response = client.post(url, form_data(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Volunteer.objects.exists() and not SignUp.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", ["प्रिया शर्मा", "D'Souza-Fernandes, Jr.", "Zoë O’Brien", "李小龙", "محمد"]
)
def test_names_in_any_script_are_welcome(client, url, name):
    response = client.post(url, form_data(name=name, email="someone@example.org"))
    assert response.status_code == 302
    assert SignUp.objects.get().pending_name == name, "kept with the sign-up until confirmed"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("+91 98765 43210", "+919876543210"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, stored):
    assert PhoneField().clean(raw) == stored


def test_the_honeypot_stores_nothing(client, url):
    response = client.post(url, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not SignUp.objects.exists() and mail.outbox == []


def test_unknown_shift_and_wrong_methods(client, url):
    assert client.get("/volunteer/shifts/999999/sign-up/").status_code == 404
    assert client.put(url).status_code == 405
    assert client.get("/volunteer/confirm/garbage/").status_code == 400
    assert client.get("/volunteer/confirm/" + "x" * 10_000 + "/").status_code == 400
    assert client.get("/volunteer/my/garbage/").status_code == 404


def test_manage_page_rejects_bad_actions(client, url):
    from volunteers.links import manage_path

    client.force_login(UserFactory())
    client.post(url, {"age_confirmed": "on"})
    manage = manage_path(Volunteer.objects.get())
    assert client.post(manage, {"action": "explode"}).status_code == 400
    assert client.post(manage, {"action": "cancel", "signup": "x" * 10_000}).status_code == 404
    assert client.post(manage, {"action": "cancel", "signup": "999999"}).status_code == 404


def test_rate_limit_answers_429(client, url, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "volunteer-signup": {"ip": (2, 600), "email": (10, 3600)},
    }
    for number in range(2):
        client.post(url, form_data(email=f"v{number}@example.org"))
    response = client.post(url, form_data(name="Asha Late"))
    assert response.status_code == 429
    assert 'value="Asha Late"' in response.content.decode(), "what was typed is kept"
