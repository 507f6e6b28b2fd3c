"""The signed link to view and edit a registration, and to add a second contact."""

import datetime

import pytest
import time_machine
from django.core import mail

from campaigns import links
from campaigns.models import ChurchRegistration
from tests.factories import register_church

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(campaign, kit):
    return register_church(campaign, phone="+44 20 7946 0000").registration


def edit_data(**overrides):
    data = {
        "action": "save",
        "church-church_name": "Grace Community Church",
        "church-denomination": "Baptist",
        "church-city": "Salford",
        "church-region": "Greater Manchester",
        "church-country": "GB",
        "church-expected_attendance": "150",
        "church-participation": ["pray", "give"],
    }
    data.update(overrides)
    return data


def contact_data(**overrides):
    data = {
        "action": "add_contact",
        "contact-contact_name": "Tom Reed",
        "contact-role": "Youth leader",
        "contact-email": "Tom@Example.org",
        "contact-phone": "07911 123456",
        "contact-consents_to_updates": "on",
    }
    data.update(overrides)
    return data


def test_the_link_shows_the_registration_and_its_kit(client, registration):
    response = client.get(links.manage_url(registration))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grace Community Church" in html
    assert "sarah@example.org" in html
    assert html.count("/church/kit/") == 2
    assert 'name="robots" content="noindex"' in html


def test_editing_saves_and_rematches(client, registration):
    response = client.post(links.manage_url(registration), edit_data())

    assert response.status_code == 200
    assert "details are saved" in response.content.decode()
    registration.refresh_from_db()
    assert registration.city == "Salford"
    assert registration.expected_attendance == 150
    assert registration.participation == ["pray", "give"]
    assert not registration.listed_publicly, "an unticked box withdraws the listing"
    assert registration.match_key == "GB|salford|grace community church"


def test_editing_into_another_churchs_details_is_refused(client, campaign, registration):
    register_church(campaign, church_name="Hope Church", email="hope@example.org")
    response = client.post(
        links.manage_url(registration),
        edit_data(**{"church-church_name": "HOPE church", "church-city": "Manchester"}),
    )
    assert response.status_code == 400
    assert "we will merge the two" in response.content.decode()
    registration.refresh_from_db()
    assert registration.church_name == "Grace Community Church"


def test_bad_edits_are_answered_clearly(client, registration):
    response = client.post(
        links.manage_url(registration),
        edit_data(**{"church-church_name": "<b>x</b>", "church-expected_attendance": "many"}),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "no &lt; or &gt; signs" in html
    assert "whole number" in html
    registration.refresh_from_db()
    assert registration.church_name == "Grace Community Church"


def test_a_second_contact_is_added_and_gets_the_kit(client, registration):
    mail.outbox.clear()
    response = client.post(links.manage_url(registration), contact_data())

    assert response.status_code == 200
    assert "Tom Reed is added" in response.content.decode()
    tom = registration.contacts.get(email="tom@example.org")
    assert tom.phone == "+447911123456"
    assert tom.consents_to_updates
    [message] = mail.outbox
    assert message.to == ["tom@example.org"]
    assert "/church/kit/" in message.body


def test_a_contact_address_already_used_in_the_campaign_is_refused(client, campaign, registration):
    register_church(campaign, church_name="Hope Church", email="tom@example.org")
    response = client.post(links.manage_url(registration), contact_data())
    assert response.status_code == 400
    assert "already a contact" in response.content.decode()
    assert registration.contacts.count() == 1


def test_bad_contact_input_is_answered_clearly(client, registration):
    response = client.post(
        links.manage_url(registration),
        contact_data(**{"contact-email": "nope", "contact-phone": "123"}),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "like name@example.org" in html
    assert registration.contacts.count() == 1


def test_unknown_actions_change_nothing(client, registration):
    response = client.post(links.manage_url(registration), {"action": "delete"})
    assert response.status_code == 400
    assert ChurchRegistration.objects.filter(pk=registration.pk).exists()


def test_a_tampered_link_is_refused(client, registration):
    url = links.manage_url(registration)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/church/registration/{forged}/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    response = client.post(f"/church/registration/{forged}/", edit_data())
    assert response.status_code == 400


def test_a_link_for_another_purpose_is_refused(client, registration):
    download = links.download_url(registration, 1)
    token = download.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/church/registration/{token}/").status_code == 400


def test_an_expired_link_is_refused(client, registration):
    url = links.manage_url(registration)
    with time_machine.travel(datetime.timedelta(days=31)):
        response = client.get(url)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_a_revoked_link_is_refused(client, registration):
    url = links.manage_url(registration)
    ChurchRegistration.objects.filter(pk=registration.pk).update(link_version=1)
    assert client.get(url).status_code == 404


def test_a_link_to_a_deleted_registration_is_refused(client, registration):
    url = links.manage_url(registration)
    registration.delete()
    assert client.get(url).status_code == 404


def test_adding_contacts_is_rate_limited(client, registration, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "campaign-registration": {"ip": (1, 600), "email": (5, 3600)},
    }
    url = links.manage_url(registration)
    client.post(url, contact_data())
    response = client.post(url, contact_data(**{"contact-email": "ann@example.org"}))
    assert response.status_code == 429
    assert "from this connection" in response.content.decode()
    assert 'value="ann@example.org"' in response.content.decode(), "what was typed is kept"
    assert registration.contacts.count() == 2
