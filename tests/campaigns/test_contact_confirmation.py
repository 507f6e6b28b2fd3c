"""A church contact's details are marked unconfirmed until the owner of the address confirms
them by the emailed link (issue 12, point 6: nobody writes another person's profile).

Registering sends the kit at once, as before; what changes is that coordinators, and the
owner of the address in My Vigil and their data, see typed details as unconfirmed.
"""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from campaigns import links, privacy
from campaigns.models import RegistrationContact
from core.signing import make_token
from tests.campaigns.conftest import register_url
from tests.factories import UserFactory, guarded, register_church, registration_form_data

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+")
OWNER = "ruth@example.org"


@pytest.fixture
def coordinator(site_pages):
    user = UserFactory(email="coordinator@example.org")
    user.groups.add(Group.objects.get(name="Campaign coordinators"))
    browser = Client()
    browser.force_login(user)
    return browser


def register(client, campaign, **overrides):
    """The public form, typed by a stranger with OWNER's address unless told otherwise."""
    data = {
        "email": OWNER,
        "contact_name": "Mallory Stranger",
        "phone": "+44 20 7946 0000",
        **overrides,
    }
    response = client.post(register_url(campaign), guarded(registration_form_data(**data)))
    assert response.status_code == 302
    return RegistrationContact.objects.filter(email=data["email"]).first()


def export_rows(browser, url_name):
    response = browser.get(reverse(url_name), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response).decode() if response.streaming else response.content.decode()
    return list(csv.DictReader(io.StringIO(body)))


def confirm_link(address=OWNER):
    message = [message for message in mail.outbox if address in message.to][-1]
    return next(link for link in LINK.findall(message.body) if "/church/contact/confirm/" in link)


def test_coordinators_see_typed_details_marked_unconfirmed(client, campaign, coordinator):
    register(client, campaign)

    (registration,) = export_rows(coordinator, "campaign_registrations:index")
    assert registration["Contacts"] == "Mallory Stranger (unconfirmed)"
    assert registration["Contact phones"].lstrip("'") == "+442079460000 (unconfirmed)"
    (contact,) = export_rows(coordinator, "campaign_contacts:index")
    # A leading "+" is escaped with "'" so that spreadsheets do not read it as a formula.
    assert (contact["Name"], contact["Phone"].lstrip("'")) == (
        "Mallory Stranger (unconfirmed)",
        "+442079460000 (unconfirmed)",
    )
    listing = coordinator.get(reverse("campaign_contacts:index")).content.decode()
    assert "Not yet: details unconfirmed" in listing


def test_the_owner_of_the_address_sees_them_as_not_confirmed_by_them(client, campaign):
    register(client, campaign)

    (item,) = privacy.sections([OWNER], None)[0].items
    assert "not confirmed yet" in item.status
    assert item.links[0].label == "Confirm your details"
    (record,) = privacy.export([OWNER])["church_registrations"]
    assert record["your_contact_details"]["confirmed_by_you_at"] is None


def test_following_the_emailed_link_confirms_the_details(client, campaign, coordinator):
    contact = register(client, campaign)
    link = confirm_link()

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mallory Stranger" in html and "+442079460000" in html, "shown before the button"
    contact.refresh_from_db()
    assert contact.address_confirmed_at is None, "a GET (link scanner) confirms nothing"

    response = client.post(link)

    assert response.status_code == 200
    assert "your details are confirmed" in response.content.decode()
    contact.refresh_from_db()
    assert contact.address_confirmed_at is not None
    (registration,) = export_rows(coordinator, "campaign_registrations:index")
    assert registration["Contacts"] == "Mallory Stranger"
    assert "Confirm" not in "".join(
        link.label for link in privacy.sections([OWNER], None)[0].items[0].links
    )


def test_a_contact_added_by_a_colleague_confirms_their_own_details(client, campaign, kit):
    registration = register_church(campaign).registration
    manage = links.manage_url(registration)
    data = {
        "action": "add_contact",
        "contact-contact_name": "Tom Reed",
        "contact-role": "Youth leader",
        "contact-email": "tom@example.org",
        "contact-phone": "07911 123456",
    }
    client.post(manage, data)

    tom = RegistrationContact.objects.get(email="tom@example.org")
    assert tom.address_confirmed_at is None
    client.post(confirm_link("tom@example.org"))
    tom.refresh_from_db()
    assert tom.address_confirmed_at is not None
    sarah = RegistrationContact.objects.get(email="sarah@example.org")
    assert sarah.address_confirmed_at is None, "one contact's link confirms only that contact"


def test_nobody_adds_themselves_or_changes_a_registered_churchs_contact(client, campaign, kit):
    sarah = register_church(campaign, phone="+44 20 7946 0000").contact

    register(client, campaign, email="mallory@example.org")  # the same church, another address
    again = register(client, campaign, email="sarah@example.org", church_name="Grace Church")

    assert list(RegistrationContact.objects.all()) == [sarah], "the newcomer is not added"
    assert (again.name, again.phone) == ("Sarah Okafor", "+442079460000"), "nor changes hers"


@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_confirmation_links_change_nothing(client, campaign, method):
    contact = register(client, campaign)
    link = confirm_link()
    other_purpose = make_token(links.UNSUBSCRIBE_PURPOSE, contact.pk, contact.link_version)
    revoked = links.confirm_contact_url(contact)
    RegistrationContact.objects.filter(pk=contact.pk).update(link_version=1)

    answers = [
        getattr(client, method)(link[:-4] + "xyz/").status_code,
        getattr(client, method)(f"/church/contact/confirm/{other_purpose}/").status_code,
        getattr(client, method)(revoked).status_code,
    ]

    assert answers == [400, 400, 404]
    contact.refresh_from_db()
    assert contact.address_confirmed_at is None
