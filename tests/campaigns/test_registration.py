"""A church registers on the campaign page; repeats create no row and send the right email."""

import datetime
import re
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from campaigns.models import ChurchRegistration, RegistrationContact
from tests.campaigns.conftest import register_url
from tests.factories import guarded, register_church, registration_form_data

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+")


def post(client, campaign, **overrides):
    return client.post(register_url(campaign), guarded(registration_form_data(**overrides)))


def links_in(message, part):
    return [link for link in LINK.findall(message.body) if part in link]


def test_page_shows_the_form_while_open(client, campaign, kit):
    response = client.get(campaign.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="' + register_url(campaign) + '"' in html
    assert "Register our church" in html
    assert "Sermon outline" in html and "Short film" in html
    assert 'name="website"' in html, "the form guard's honeypot is in the form"


def test_registration_stores_the_church_and_emails_the_kit(client, campaign, kit):
    response = post(client, campaign, phone="+44 20 7946 0000")

    assert response.status_code == 302
    assert response["Location"] == campaign.url + "thank-you/"
    registration = ChurchRegistration.objects.get()
    assert registration.church_name == "Grace Community Church"
    assert registration.country.code == "GB"
    assert registration.participation == ["preach", "pray"]
    assert registration.listed_publicly
    contact = registration.contacts.get()
    assert contact.email == "sarah@example.org"
    assert contact.phone == "+442079460000"
    assert contact.consents_to_updates and contact.consent_at

    [message] = mail.outbox
    assert message.to == ["sarah@example.org"]
    assert message.subject == f"Grace Community Church is registered for {campaign.title}"
    downloads = links_in(message, "/church/kit/")
    assert len(downloads) == 2, "each resource goes through its own tracked link"
    assert "Sermon outline" in message.body and "Short film" in message.body
    assert links_in(message, "/church/registration/")
    html = message.alternatives[0][0]
    assert all(link in html for link in downloads)

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "check your email" in thanks.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"church_name": "grace   COMMUNITY church", "email": "other@example.org"},
        {"church_name": "The Grace Community Church.", "email": "other@example.org"},
        {"city": " manchester ", "email": "other@example.org"},
    ],
)
def test_same_church_with_different_case_and_spacing_is_not_registered_twice(
    client, campaign, kit, overrides
):
    register_church(campaign)
    mail.outbox.clear()

    response = post(client, campaign, contact_name="Tom Reed", **overrides)

    assert response.status_code == 302
    assert ChurchRegistration.objects.count() == 1
    assert RegistrationContact.objects.count() == 1, "the newcomer is not added by themselves"
    by_address = {message.to[0]: message for message in mail.outbox}
    existing = by_address["sarah@example.org"]
    assert "Tom Reed" in existing.body and "other@example.org" in existing.body
    assert links_in(existing, "/church/registration/"), "the contact can add them"
    newcomer = by_address["other@example.org"]
    assert "already registered" in newcomer.subject
    assert "sarah@example.org" not in newcomer.body, "no address of the church is disclosed"
    assert not links_in(newcomer, "/church/registration/")


def test_same_email_with_a_new_church_name_gets_a_link_to_its_registration(client, campaign, kit):
    registration = register_church(campaign).registration
    mail.outbox.clear()

    response = post(
        client, campaign, church_name="Grace Church Manchester", email="Sarah@Example.org"
    )

    assert response.status_code == 302
    assert ChurchRegistration.objects.get() == registration
    [message] = mail.outbox
    assert message.to == ["sarah@example.org"]
    assert message.subject.startswith("You already registered Grace Community Church")
    [manage] = links_in(message, "/church/registration/")
    page = client.get(manage)
    assert page.status_code == 200
    assert "Grace Community Church" in page.content.decode()


def test_a_different_church_in_the_same_city_registers(client, campaign):
    register_church(campaign)
    post(client, campaign, church_name="Hope City Church", email="tom@example.org")
    assert sorted(ChurchRegistration.objects.values_list("church_name", flat=True)) == [
        "Grace Community Church",
        "Hope City Church",
    ]


def test_same_church_in_another_campaign_registers_again(client, site_pages, campaign):
    from tests.factories import open_campaign

    other = open_campaign(site_pages[0], title="Freedom Sunday 2028")
    register_church(campaign)
    register_church(other)
    assert ChurchRegistration.objects.count() == 2


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"registration_closes_at": -1}, "Registration for this campaign has closed."),
        ({"registration_opens_at": 2}, "Registration for this campaign has not opened yet."),
    ],
)
def test_outside_the_window_the_page_says_so_and_refuses_posts(client, campaign, window, message):
    now = timezone.now()
    for field, days in window.items():
        setattr(campaign, field, now + datetime.timedelta(days=days))
    if "registration_opens_at" in window:
        campaign.registration_closes_at = now + datetime.timedelta(days=5)
    else:
        campaign.registration_opens_at = now - datetime.timedelta(days=5)
    campaign.save_revision().publish()

    page = client.get(campaign.url).content.decode()
    assert message in page
    assert "Register our church" not in page

    response = post(client, campaign)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert not ChurchRegistration.objects.exists()
    assert not mail.outbox


def test_registration_closes_when_the_campaign_starts_by_default(client, campaign):
    campaign.registration_closes_at = None
    campaign.start_date = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save_revision().publish()
    assert post(client, campaign).status_code == 403


def test_bots_get_the_thank_you_page_and_nothing_is_stored(client, campaign):
    response = post(client, campaign, website="http://spam.example")
    assert response.status_code == 302
    assert not ChurchRegistration.objects.exists()
    assert not mail.outbox


def test_get_on_the_register_route_goes_to_the_form(client, campaign):
    response = client.get(register_url(campaign))
    assert response.status_code == 302
    assert response["Location"].endswith("#register")


def test_too_many_registrations_from_one_address_are_refused(client, campaign, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "campaign-registration": {"ip": (100, 600), "email": (2, 3600)},
    }
    for number in range(2):
        post(client, campaign, church_name=f"Church {number}", email="same@example.org")
    response = post(client, campaign, church_name="Church 3", email="same@example.org")
    assert response.status_code == 429
    assert 'value="Church 3"' in response.content.decode(), "what was typed is kept"


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"church_name": ""}, "church_name", "Please fill in"),
        ({"church_name": LONG}, "church_name", "200 characters or fewer"),
        ({"church_name": "<script>alert(1)</script>"}, "church_name", "no < or > signs"),
        ({"church_name": "Grace\x00Church"}, "church_name", "no < or > signs"),
        ({"denomination": LONG}, "denomination", "100 characters or fewer"),
        ({"city": ""}, "city", "Please fill in"),
        ({"city": "<b>Leeds</b>"}, "city", "no < or > signs"),
        ({"region": LONG}, "region", "100 characters or fewer"),
        ({"country": ""}, "country", "Please choose your country"),
        ({"country": "XX"}, "country", "from the list"),
        ({"contact_name": ""}, "contact_name", "Please fill in"),
        ({"contact_name": LONG}, "contact_name", "100 characters or fewer"),
        ({"role": ""}, "role", "Please fill in"),
        ({"email": ""}, "email", "Please give an email address"),
        ({"email": "not-an-email"}, "email", "like name@example.org"),
        ({"email": LONG + "@example.org"}, "email", "shorter email"),
        ({"phone": "call me"}, "phone", "country code"),
        ({"phone": "+44 12"}, "phone", "does not look right"),
        ({"phone": LONG}, "phone", "shorter phone"),
        ({"expected_attendance": ""}, "expected_attendance", "roughly how many"),
        ({"expected_attendance": "lots"}, "expected_attendance", "whole number"),
        ({"expected_attendance": "0"}, "expected_attendance", "at least 1"),
        ({"expected_attendance": "-5"}, "expected_attendance", "at least 1"),
        ({"expected_attendance": "99999999"}, "expected_attendance", "up to 100,000"),
        ({"participation": None}, "participation", "at least one way"),
        ({"participation": ["dance"]}, "participation", "from the ways listed"),
    ],
)
def test_bad_input_is_answered_clearly(client, campaign, overrides, field, message):
    response = post(client, campaign, **overrides)

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]
    html = response.content.decode()
    assert "Please correct the highlighted fields below." in html
    assert "<script>alert(1)</script>" not in html
    assert not ChurchRegistration.objects.exists()
    assert not mail.outbox


def test_names_in_any_script_are_welcome(client, campaign):
    response = post(
        client,
        campaign,
        church_name="नागालैंड बैपटिस्ट चर्च",
        city="कोहिमा",
        country="IN",
        contact_name="Vikho Rhakho-O'Neill",
        phone="098765 43210",
    )
    assert response.status_code == 302
    registration = ChurchRegistration.objects.get()
    assert registration.church_name == "नागालैंड बैपटिस्ट चर्च"
    assert registration.contacts.get().phone == "+919876543210", "read as an Indian number"


def test_local_phone_numbers_are_read_in_the_chosen_country(client, campaign):
    post(client, campaign, phone="020 7946 0000")
    assert RegistrationContact.objects.get().phone == "+442079460000"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_of_one_church_make_one_row(site_pages):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    from tests.factories import open_campaign

    campaign = open_campaign(site_pages[0])
    barrier = threading.Barrier(4)
    outcomes = []

    def register(number):
        try:
            barrier.wait()
            result = register_church(
                campaign, email=f"person{number}@example.org", church_name="GRACE community church"
            )
            outcomes.append(result.outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ChurchRegistration.objects.count() == 1
    assert RegistrationContact.objects.count() == 1
    assert sorted(outcomes) == ["created", "same_church", "same_church", "same_church"]
