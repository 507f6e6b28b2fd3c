"""Fuzzing church registration and every church link (inputs and checks: tests/fuzzing.py).

The visitor's church and a bystander's church are registered for the same campaign; the
visitor holds the links of their own registration only.
"""

from types import SimpleNamespace

import pytest
from django.core import mail
from django_countries import countries
from hypothesis import given
from hypothesis import strategies as st

from campaigns import links
from campaigns.models import ChurchRegistration, RegistrationContact, ResourceDownload
from tests.campaigns.conftest import register_url
from tests.factories import add_resource, open_campaign, register_church
from tests.fuzzing import (
    Bystander,
    bodies,
    checkbox,
    choice,
    email_addresses,
    headers,
    methods,
    numberish,
    path_segment,
    query_strings,
    rows,
    settle,
    signed_links,
    stored_markup,
    values,
    visiting,
    weighted,
)

pytestmark = pytest.mark.django_db

VISITOR = "visitor@example.org"
BYSTANDER = "bystander@example.org"
COUNTRIES = ["GB", "KE", "IN", "BR", "gb", "XX", "", "GBR"]


@pytest.fixture
def visitor(monkeypatch, settings):
    with visiting(monkeypatch, settings) as visitor:
        yield visitor


@pytest.fixture
def world(site_pages):
    home, _news = site_pages
    campaign = open_campaign(home)
    kit = [
        add_resource(campaign, "Sermon outline", sort_order=0),
        add_resource(campaign, "Short film", url="https://videos.example.org/film", sort_order=1),
    ]
    own = register_church(campaign, email=VISITOR, church_name="Visitor Chapel").registration
    theirs = register_church(
        campaign, email=BYSTANDER, church_name="Bystander Church", city="Nairobi", country="KE"
    ).registration
    mail.outbox.clear()
    return SimpleNamespace(campaign=campaign, kit=kit, own=own, theirs=theirs)


@pytest.fixture
def bystander(world):
    return Bystander(
        rows(
            ChurchRegistration.objects.filter(pk=world.theirs.pk),
            RegistrationContact.objects.filter(registration=world.theirs),
            ResourceDownload.objects.filter(registration=world.theirs),
        )
    )


def church_fields(prefix=""):
    fields = {
        "church_name": values(st.sampled_from(["Grace Community Church", "Bystander Church"])),
        "denomination": values(st.sampled_from(["Baptist", ""])),
        "city": values(st.sampled_from(["Manchester", "Nairobi", "São Paulo"])),
        "region": values(st.sampled_from(["", "Kerala"])),
        "country": choice(*COUNTRIES),
        "expected_attendance": values(numberish),
        "participation": choice("preach", "pray", "give", "host_screening", "dance"),
        "listed_publicly": checkbox(),
    }
    return {f"{prefix}{name}": strategy for name, strategy in fields.items()}


def contact_fields(prefix=""):
    fields = {
        "contact_name": values(st.sampled_from(["Sarah Okafor", "李小龙", "محمد"])),
        "role": values(st.sampled_from(["Pastor", ""])),
        "email": email_addresses(VISITOR, BYSTANDER),
        "phone": values(st.sampled_from(["", "+44 20 7946 0000", "020 7946 0000", "+1 2"])),
        "consents_to_updates": checkbox(),
    }
    return {f"{prefix}{name}": strategy for name, strategy in fields.items()}


def test_registration_form(world, bystander, visitor):
    spec = {**church_fields(), **contact_fields()}

    @given(body=bodies(spec, guarded=True), method=methods, extra=headers)
    def send(body, method, extra):
        visitor.send(method, register_url(world.campaign), body=body, headers=extra)
        settle(bystander)

    send()
    stored = stored_markup(ChurchRegistration.objects.all(), RegistrationContact.objects.all())
    assert not stored, "church and contact details are plain text"


def own_links(world, purpose, subject=None):
    subject = subject or world.own
    return signed_links(purpose, subject.pk, subject.link_version, bystander_id=world.theirs.pk)


def test_manage_link(world, bystander, visitor):
    spec = {
        "action": choice("save", "add_contact", "delete"),
        **church_fields("church-"),
        **contact_fields("contact-"),
    }

    @given(token=own_links(world, links.MANAGE_PURPOSE), method=methods, body=bodies(spec))
    def send(token, method, body):
        visitor.send(method, f"/church/registration/{path_segment(token)}/", body=body)
        settle(bystander)

    send()
    stored = stored_markup(ChurchRegistration.objects.all(), RegistrationContact.objects.all())
    assert not stored, "church and contact details are plain text"


def test_download_link(world, bystander, visitor):
    resources = weighted(
        (3, st.sampled_from([str(resource.pk) for resource in world.kit])),
        (1, st.integers(0, 10**25).map(str)),
        (1, numberish),
    )

    @given(token=own_links(world, links.DOWNLOAD_PURPOSE), resource=resources, method=methods)
    def send(token, resource, method):
        path = f"/church/kit/{path_segment(resource)}/{path_segment(token)}/"
        visitor.send(method, path, offsite=["https://videos.example.org/"])
        settle(bystander)

    send()


def test_updates_unsubscribe_link(world, bystander, visitor):
    contact = world.own.contacts.get()
    theirs = world.theirs.contacts.get()
    tokens = signed_links(
        links.UNSUBSCRIBE_PURPOSE, contact.pk, contact.link_version, bystander_id=theirs.pk
    )

    @given(token=tokens, method=methods, body=bodies({"List-Unsubscribe": values()}))
    def send(token, method, body):
        visitor.send(method, f"/church/updates/unsubscribe/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


def test_contact_confirmation_link(world, bystander, visitor):
    contact = world.own.contacts.get()
    theirs = world.theirs.contacts.get()
    tokens = signed_links(
        links.CONFIRM_CONTACT_PURPOSE, contact.pk, contact.link_version, bystander_id=theirs.pk
    )

    @given(token=tokens, method=methods, body=bodies({"confirm": values()}))
    def send(token, method, body):
        visitor.send(method, f"/church/contact/confirm/{path_segment(token)}/", body=body)
        settle(bystander)

    send()


def test_public_campaign_pages_with_hostile_parameters(world, bystander, visitor):
    """The campaign page, its public list of churches with their filters, the thank-you page."""
    url = world.campaign.url
    filters = {
        "country": weighted((2, st.sampled_from([code for code, _ in countries])), (1, values())),
        "page": numberish,
    }
    pages = st.sampled_from([url, f"{url}churches/", f"{url}thank-you/", f"{url}register/"])

    @given(path=pages, query=query_strings(filters), extra=headers)
    def send(path, query, extra):
        visitor.send("GET", path, query=query, headers=extra)
        settle(bystander)

    send()
