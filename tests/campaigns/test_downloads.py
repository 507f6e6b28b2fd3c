"""Each resource link in the email leads to the resource on every GET, and counts what means
something: which church opened which resource, and when first. Not every GET a mail
scanner makes."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from campaigns import links
from campaigns.models import ResourceDownload
from campaigns.registration import merge_registrations
from tests.factories import UserFactory, add_resource, open_campaign, register_church

pytestmark = pytest.mark.django_db

FIRST = datetime.datetime(2026, 3, 2, 9, 15, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 3, 5, 18, 0, tzinfo=datetime.UTC)
# A row of the progress page's resource table: title, churches who opened it.
RESOURCE_ROW = re.compile(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>")


@pytest.fixture
def registration(campaign, kit):
    return register_church(campaign).registration


@pytest.fixture
def another_church(campaign):
    return register_church(
        campaign, church_name="Hope City Church", city="Leeds", email="hope@example.org"
    ).registration


def opened(registration):
    return dict(registration.downloads.values_list("resource_id", "first_at"))


def get(url, times=1):
    """Follow a kit link as a mail scanner or a person would: a fresh client each time."""
    responses = [Client(HTTP_USER_AGENT=f"agent {n}").get(url) for n in range(times)]
    assert [response.status_code for response in responses] == [302] * times
    return responses


@pytest.fixture
def coordinator(site_pages):
    client = Client()
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Campaign coordinators"))
    client.force_login(user)
    return client


def figures(coordinator, campaign):
    """What the back office reports: churches who opened each resource (progress page), and
    resources opened by each church (registrations export)."""
    html = coordinator.get(reverse("campaign_progress:detail", args=[campaign.pk])).content
    per_resource = dict(RESOURCE_ROW.findall(html.decode()))
    export = coordinator.get(reverse("campaign_registrations:index"), {"export": "csv"})
    rows = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    per_church = {row["Church name"]: row["Resources opened"] for row in rows}
    return per_resource, per_church


def test_five_gets_of_one_link_count_one_opening_and_each_is_redirected(
    coordinator, campaign, registration, kit
):
    document, _video = kit

    # A mail scanner, a second scanner, the pastor, the pastor again, a colleague.
    responses = get(links.download_url(registration, document.pk), times=5)

    assert {response["Location"] for response in responses} == {document.document.url}
    assert figures(coordinator, campaign) == (
        {"Sermon outline": "1", "Short film": "0"},
        {"Grace Community Church": "1"},
    )


def test_two_resources_count_two(coordinator, campaign, registration, kit):
    document, video = kit

    get(links.download_url(registration, document.pk), times=3)
    (film,) = get(links.download_url(registration, video.pk))

    assert film["Location"] == "https://videos.example.org/film"
    assert figures(coordinator, campaign) == (
        {"Sermon outline": "1", "Short film": "1"},
        {"Grace Community Church": "2"},
    )


def test_two_churches_count_two(coordinator, campaign, registration, another_church, kit):
    for church in (registration, another_church, registration, another_church):
        get(links.download_url(church, kit[0].pk))

    assert figures(coordinator, campaign) == (
        {"Sermon outline": "2", "Short film": "0"},
        {"Grace Community Church": "1", "Hope City Church": "1"},
    )


def test_the_time_of_the_first_opening_is_kept_and_shown(
    coordinator, campaign, registration, kit, time_machine
):
    url = links.download_url(registration, kit[0].pk)
    time_machine.move_to(FIRST, tick=False)
    get(url)
    time_machine.move_to(LATER, tick=False)
    get(url)

    assert opened(registration) == {kit[0].pk: FIRST}
    html = coordinator.get(reverse("campaign_progress:detail", args=[campaign.pk])).content
    assert f'<time datetime="{FIRST.isoformat()}">' in html.decode()
    assert LATER.isoformat() not in html.decode()


def test_merging_two_registrations_keeps_each_resources_earliest_opening(
    registration, another_church, kit, time_machine
):
    document, video = kit
    time_machine.move_to(FIRST, tick=False)
    get(links.download_url(another_church, document.pk))
    time_machine.move_to(LATER, tick=False)
    get(links.download_url(registration, document.pk))
    get(links.download_url(another_church, video.pk))

    merge_registrations(registration, another_church)

    assert opened(registration) == {document.pk: FIRST, video.pk: LATER}


def test_the_document_behind_the_link_is_served(client, registration, kit):
    response = client.get(links.download_url(registration, kit[0].pk), follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_resource_of_another_campaign_is_not_served(client, site_pages, registration):
    other = open_campaign(site_pages[0], title="Another campaign")
    foreign = add_resource(other, "Secret", url="https://example.org/secret")
    response = client.get(links.download_url(registration, foreign.pk))
    assert response.status_code == 404
    assert not ResourceDownload.objects.exists()


def test_tampered_and_revoked_download_links_are_refused(client, registration, kit):
    url = links.download_url(registration, kit[0].pk)
    assert client.get(url[:-4] + "xyz/").status_code == 400
    registration.link_version = 2
    registration.save()
    assert client.get(url).status_code == 404
    assert not ResourceDownload.objects.exists()


def test_posting_to_a_download_link_is_not_allowed(client, registration, kit):
    assert client.post(links.download_url(registration, kit[0].pk)).status_code == 405
