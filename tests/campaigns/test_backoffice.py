"""Campaign coordinators list, filter, search, export and merge registrations, and see
progress and downloads in the back office."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from campaigns.downloads import record_download
from campaigns.models import ChurchRegistration, RegistrationContact, ResourceDownload
from tests.factories import UserFactory, register_church

pytestmark = pytest.mark.django_db

INDEX = "campaign_registrations:index"


@pytest.fixture
def coordinator_client(client, site_pages):
    user = UserFactory(email="coordinator@example.org")
    user.groups.add(Group.objects.get(name="Campaign coordinators"))
    client.force_login(user)
    return client


@pytest.fixture
def churches(campaign, kit):
    grace = register_church(campaign).registration
    hope = register_church(
        campaign,
        church_name="Hope City Church",
        city="Nairobi",
        country="KE",
        email="hope@example.org",
        participation=["give"],
        contact_name='=HYPERLINK("http://evil")',
    ).registration
    record_download(grace, kit[0])
    record_download(grace, kit[0])
    record_download(grace, kit[1])
    return grace, hope


def listing(client, **params):
    response = client.get(reverse(INDEX), params)
    assert response.status_code == 200
    return response.content.decode()


def test_outsiders_and_other_staff_cannot_see_registrations(client, churches):
    client.force_login(UserFactory(email="visitor@example.org"))
    assert client.get(reverse(INDEX)).status_code in (302, 403)
    editor = UserFactory(email="editor@example.org")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(reverse(INDEX)).status_code in (302, 403)


def test_coordinators_filter_and_search(coordinator_client, churches):
    everything = listing(coordinator_client)
    assert "Grace Community Church" in everything and "Hope City Church" in everything

    kenya = listing(coordinator_client, country="KE")
    assert "Hope City Church" in kenya and "Grace Community Church" not in kenya

    givers = listing(coordinator_client, participation="give")
    assert "Hope City Church" in givers and "Grace Community Church" not in givers

    fetched = listing(coordinator_client, downloaded="true")
    assert "Grace Community Church" in fetched and "Hope City Church" not in fetched
    not_fetched = listing(coordinator_client, downloaded="false")
    assert "Hope City Church" in not_fetched and "Grace Community Church" not in not_fetched

    by_email = listing(coordinator_client, q="hope@example")
    assert "Hope City Church" in by_email and "Grace Community Church" not in by_email


def test_csv_and_xlsx_exports(coordinator_client, churches):
    response = coordinator_client.get(reverse(INDEX), {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_church = {row["Church name"]: row for row in rows}
    grace = by_church["Grace Community Church"]
    assert grace["Contact emails"] == "sarah@example.org"
    assert grace["Resources opened"] == "2", "two resources, one of them opened twice"
    assert grace["Taking part"] == "Preach, Pray"
    assert grace["Country"] == "United Kingdom"
    assert by_church["Hope City Church"]["Contacts"].startswith("'="), "no formula injection"

    response = coordinator_client.get(reverse(INDEX), {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "Grace Community Church" in values and "hope@example.org" in values


def test_merge_moves_contacts_and_downloads_and_is_logged(coordinator_client, campaign, kit):
    keep = register_church(campaign).registration
    duplicate = register_church(
        campaign,
        church_name="Grace Comm. Church",
        email="tom@example.org",
        participation=["screening"],
    ).registration
    record_download(keep, kit[0])
    record_download(duplicate, kit[0])
    record_download(duplicate, kit[1])
    url = reverse("campaign_registrations:merge", args=[keep.pk])

    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert "Grace Comm. Church" in page.content.decode()

    response = coordinator_client.post(url, {"other": duplicate.pk})
    assert response.status_code == 302
    assert list(ChurchRegistration.objects.all()) == [keep]
    assert sorted(RegistrationContact.objects.values_list("email", flat=True)) == [
        "sarah@example.org",
        "tom@example.org",
    ]
    assert set(RegistrationContact.objects.values_list("registration", flat=True)) == {keep.pk}
    opened = ResourceDownload.objects.values_list("registration_id", "resource_id")
    assert sorted(opened) == [(keep.pk, kit[0].pk), (keep.pk, kit[1].pk)]
    keep.refresh_from_db()
    assert keep.will_host_screening and keep.will_preach
    entry = ModelLogEntry.objects.get(action="vigil.campaigns.merge")
    assert entry.data == {"merged_registration": duplicate.pk, "contacts_moved": 1}


def test_merge_refuses_a_registration_of_another_campaign(coordinator_client, site_pages, campaign):
    from tests.factories import open_campaign

    keep = register_church(campaign).registration
    other = register_church(open_campaign(site_pages[0], title="Other")).registration
    url = reverse("campaign_registrations:merge", args=[keep.pk])
    response = coordinator_client.post(url, {"other": other.pk})
    assert response.status_code == 400
    assert ChurchRegistration.objects.count() == 2


def test_coordinators_edit_a_registration_and_the_key_follows(coordinator_client, churches):
    grace, _hope = churches
    response = coordinator_client.post(
        reverse("campaign_registrations:edit", args=[grace.pk]),
        {
            "church_name": "Grace Church",
            "denomination": "",
            "city": "Salford",
            "region": "",
            "country": "GB",
            "expected_attendance": "80",
            "will_pray": "on",
        },
    )
    assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.match_key == "GB|salford|grace church"


def test_deleting_a_registration_updates_the_counters(coordinator_client, campaign, churches):
    from campaigns.progress import campaign_progress

    assert campaign_progress(campaign).churches == 2
    _grace, hope = churches
    response = coordinator_client.post(reverse("campaign_registrations:delete", args=[hope.pk]))
    assert response.status_code == 302
    assert campaign_progress(campaign).churches == 1


def test_progress_report_shows_the_chart_and_downloads(coordinator_client, campaign, churches):
    response = coordinator_client.get(reverse("campaign_progress:detail", args=[campaign.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<rect" in html
    assert "Sermon outline" in html and "Short film" in html
    assert "1 church opened at least one resource; 1 have not yet." in html
    index = coordinator_client.get(reverse("campaign_progress:index"))
    assert campaign.title in index.content.decode()
    resources = coordinator_client.get(reverse("campaign_resources:index"))
    assert resources.status_code == 200


def test_the_campaigns_menu_is_there_for_coordinators(coordinator_client):
    html = coordinator_client.get(reverse("wagtailadmin_home")).content.decode()
    for label in ("Registrations", "Updates to churches", "Resource kits", "Progress"):
        assert label in html


def test_coordinators_add_a_resource_to_the_kit(coordinator_client, campaign):
    url = reverse("campaign_resources:add")
    form = coordinator_client.get(url).content.decode()
    assert f'<option value="{campaign.pk}">' in form, "campaigns in a plain list"

    neither = coordinator_client.post(url, {"campaign": campaign.pk, "title": "Film"})
    assert neither.status_code == 200
    assert "Choose a document or give an external link" in neither.content.decode()

    response = coordinator_client.post(
        url,
        {
            "campaign": campaign.pk,
            "title": "Film",
            "url": "https://videos.example.org/film",
            "sort_order": "3",
        },
    )
    assert response.status_code == 302
    assert campaign.resources.get().url == "https://videos.example.org/film"


def test_coordinators_may_choose_documents(site_pages):
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    permission_policy = policy_registry.get_by_type(get_document_model())

    user = UserFactory(email="coordinator@example.org")
    user.groups.add(Group.objects.get(name="Campaign coordinators"))
    assert permission_policy.user_has_permission(user, "choose")
    assert permission_policy.user_has_permission(user, "add")
