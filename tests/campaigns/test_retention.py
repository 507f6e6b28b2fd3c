"""Registrations of campaigns long past are reduced to the church's name, city and country."""

import datetime

import pytest

from campaigns import links
from campaigns.downloads import record_download
from campaigns.models import ChurchRegistration, RegistrationContact, UpdateDelivery
from campaigns.progress import campaign_progress
from campaigns.registration import add_contact
from campaigns.retention import reduce_old_registrations
from tests.factories import add_campaign, add_resource, register_church

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# The campaign runs 10-12 March 2024: its registrations are reduced once 12 March 2026,
# two years after it ended, is over.
LAST_DAY_KEPT = datetime.datetime(2026, 3, 12, 23, 0, tzinfo=UTC)
FIRST_DAY_REDUCED = datetime.datetime(2026, 3, 13, 1, 0, tzinfo=UTC)
# What a reduction keeps: these describe the congregation, not a person.
CHURCH_FACTS = (
    "church_name",
    "city",
    "country",
    "expected_attendance",
    "will_preach",
    "will_pray",
    "will_give",
    "will_host_screening",
    "listed_publicly",
    "created_at",
)


@pytest.fixture
def past_campaign(site_pages, time_machine):
    home, _news = site_pages
    time_machine.move_to(datetime.datetime(2024, 2, 1, 9, 0, tzinfo=UTC), tick=False)
    return add_campaign(
        home,
        title="Freedom Sunday 2024",
        start_date=datetime.date(2024, 3, 10),
        end_date=datetime.date(2024, 3, 12),
    )


@pytest.fixture
def registration(past_campaign):
    result = register_church(
        past_campaign,
        denomination="Baptist",
        region="Greater Manchester",
        phone="+44 161 496 0000",
    )
    registration = result.registration
    add_contact(
        registration,
        {"contact_name": "James Bell", "role": "Youth leader", "email": "james@example.org"},
    )
    record_download(registration, add_resource(past_campaign, "Sermon outline"))
    return registration


def facts(registration):
    registration.refresh_from_db()
    return {field: getattr(registration, field) for field in CHURCH_FACTS}


def test_reduced_to_name_city_and_country_after_two_years(registration, time_machine):
    before = facts(registration)
    time_machine.move_to(LAST_DAY_KEPT, tick=False)
    assert reduce_old_registrations() == 0, "two years ago to the day: not yet"
    assert registration.contacts.count() == 2

    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    assert reduce_old_registrations() == 1

    assert facts(registration) == before
    assert (registration.church_name, registration.city, str(registration.country)) == (
        "Grace Community Church",
        "Manchester",
        "GB",
    )
    assert (registration.denomination, registration.region) == ("", "")
    assert registration.reduced_at == FIRST_DAY_REDUCED
    assert not RegistrationContact.objects.exists()
    assert registration.downloads.exists(), "which resources a church opened is not about a person"


def test_no_personal_detail_is_left_anywhere_in_the_row(registration, time_machine):
    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    reduce_old_registrations()

    row = ChurchRegistration.objects.filter(pk=registration.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    for detail in ("Sarah", "Okafor", "sarah@", "James", "Baptist", "Greater Manchester", "161"):
        assert detail not in stored


def test_a_rerun_does_nothing_more(registration, time_machine):
    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    assert reduce_old_registrations() == 1
    registration.refresh_from_db()
    first = (registration.reduced_at, registration.link_version, registration.updated_at)

    time_machine.move_to(FIRST_DAY_REDUCED + datetime.timedelta(days=1), tick=False)
    assert reduce_old_registrations() == 0
    registration.refresh_from_db()
    assert (registration.reduced_at, registration.link_version, registration.updated_at) == first


def test_the_campaign_totals_still_add_up(registration, past_campaign, time_machine):
    before = campaign_progress(past_campaign)
    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    reduce_old_registrations()

    after = campaign_progress(past_campaign)
    assert (after.churches, after.countries, after.attendance) == (
        before.churches,
        before.countries,
        before.attendance,
    )
    assert after.attendance == 120


def test_links_sent_to_the_church_stop_working(client, registration, time_machine):
    manage = links.manage_url(registration).removeprefix("http://testserver")
    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    reduce_old_registrations()

    assert client.get(manage).status_code in (400, 404)


def test_records_of_sent_updates_go_with_the_contacts(registration, past_campaign, time_machine):
    update = past_campaign.updates.create(subject="Thank you", body="<p>Thanks!</p>")
    UpdateDelivery.objects.create(update=update, contact=registration.contacts.first())
    time_machine.move_to(FIRST_DAY_REDUCED, tick=False)
    reduce_old_registrations()

    assert not UpdateDelivery.objects.exists()
    assert past_campaign.updates.count() == 1, "the update itself is the ministry's content"


def test_registrations_of_recent_and_single_day_campaigns(site_pages, time_machine, settings):
    home, _news = site_pages
    time_machine.move_to(datetime.datetime(2024, 2, 1, tzinfo=UTC), tick=False)
    single_day = add_campaign(home, title="Day of prayer", start_date=datetime.date(2024, 3, 1))
    recent = add_campaign(home, title="Freedom Sunday 2025", start_date=datetime.date(2025, 3, 9))
    old = register_church(single_day).registration
    new = register_church(recent, email="other@example.org").registration

    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
    assert reduce_old_registrations() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.reduced_at is not None and new.reduced_at is None

    settings.RETENTION_CAMPAIGN_REGISTRATION_YEARS = 1
    time_machine.move_to(datetime.datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False)
    assert reduce_old_registrations() == 1, "the period is a setting"
