"""Counters on the campaign page, and the public list of churches that agreed to be listed."""

import pytest

from campaigns.models import ChurchRegistration
from campaigns.progress import campaign_progress
from tests.factories import register_church

pytestmark = pytest.mark.django_db

CANARY_NAME = "Canary Contactperson"
CANARY_EMAIL = "canary-contact@example.org"
CANARY_PHONE = "+442079460999"


def churches_url(campaign):
    return campaign.url + campaign.reverse_subpage("churches")


def test_counters_follow_registrations_and_deletions(client, campaign, django_assert_num_queries):
    register_church(campaign, expected_attendance="100")
    register_church(
        campaign,
        church_name="Église Saint-Jean",
        city="Lyon",
        country="FR",
        email="luc@example.org",
        expected_attendance="250",
    )
    hope = register_church(
        campaign,
        church_name="Hope",
        city="Leeds",
        email="hope@example.org",
        expected_attendance="50",
    ).registration

    progress = campaign_progress(campaign)
    assert (progress.churches, progress.countries, progress.attendance) == (3, 2, 400)
    assert progress.goal == 10 and progress.percent == 30

    with django_assert_num_queries(0):
        campaign_progress(campaign)  # cached

    hope.delete()
    progress = campaign_progress(campaign)
    assert (progress.churches, progress.countries, progress.attendance) == (2, 2, 350)

    ChurchRegistration.objects.get(city="Lyon").delete()
    progress = campaign_progress(campaign)
    assert (progress.churches, progress.countries, progress.attendance) == (1, 1, 100)

    html = client.get(campaign.url).content.decode()
    assert "1 of our goal of 10 churches (10%)" in html


def test_an_edit_through_the_link_updates_the_counters(campaign):
    registration = register_church(campaign, expected_attendance="100").registration
    assert campaign_progress(campaign).attendance == 100
    registration.expected_attendance = 40
    registration.save()
    assert campaign_progress(campaign).attendance == 40


def test_percent_over_the_goal_fills_the_bar_without_overflowing(campaign):
    campaign.goal_churches = 1
    for number in range(3):
        register_church(campaign, church_name=f"Church {number}", email=f"p{number}@example.org")
    progress = campaign_progress(campaign)
    assert progress.percent == 300 and progress.bar_percent == 100


def test_public_list_shows_only_listed_churches_and_only_name_city_country(client, campaign):
    register_church(
        campaign,
        church_name="Listed Church",
        contact_name=CANARY_NAME,
        email=CANARY_EMAIL,
        phone=CANARY_PHONE,
        denomination="Canary Denomination",
        region="Canary Region",
        expected_attendance="4321",
    )
    register_church(
        campaign, church_name="Quiet Church", email="quiet@example.org", listed_publicly=None
    )

    surfaces = [
        client.get(churches_url(campaign)).content.decode(),
        client.get(campaign.url).content.decode(),
    ]
    listing = surfaces[0]
    assert "Listed Church" in listing and "Manchester" in listing and "United Kingdom" in listing
    assert "Quiet Church" not in listing
    for html in surfaces:
        for secret in (
            CANARY_NAME,
            CANARY_EMAIL,
            CANARY_PHONE,
            "Canary Denomination",
            "Canary Region",
            "4321",
            "Quiet Church",
        ):
            assert secret not in html


def test_public_list_filters_by_country(client, campaign):
    register_church(campaign)
    register_church(
        campaign,
        church_name="Hope City Church",
        city="Nairobi",
        country="KE",
        email="ke@example.org",
    )
    html = client.get(churches_url(campaign), {"country": "KE"}).content.decode()
    assert "Hope City Church" in html and "Grace Community Church" not in html
    assert '<option value="KE" selected>Kenya</option>' in html

    html = client.get(churches_url(campaign), {"country": "ZZ<script>"}).content.decode()
    assert "Hope City Church" in html and "Grace Community Church" in html
    assert "<script>" not in html.split("</header>", 1)[1].split("<footer", 1)[0]


@pytest.mark.usefixtures("drawn_pages")
def test_public_list_queries_do_not_grow_with_churches(
    client, campaign, django_assert_max_num_queries
):
    def count_queries(churches):
        for number in range(churches):
            register_church(
                campaign, church_name=f"Church {number}", email=f"c{number}@example.org"
            )
        client.get(churches_url(campaign))  # warm the menu, settings and counter caches
        with django_assert_max_num_queries(100) as captured:
            assert client.get(churches_url(campaign)).status_code == 200
        ChurchRegistration.objects.all().delete()
        return len(captured.captured_queries)

    assert count_queries(3) == count_queries(30)
