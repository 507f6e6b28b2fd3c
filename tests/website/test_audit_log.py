"""Wagtail's audit log records moderation, clearance, take-downs and every export from the
back office: who, what and how many, never the personal data in the rows."""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.admin.viewsets import viewsets as admin_viewsets
from wagtail.models import ModelLogEntry

from core.backoffice import EXPORT_ACTION, AuditedExportMixin
from prayer.models import PrayerRequest
from tests.digests.subscription_helpers import make_subscription
from tests.factories import (
    UserFactory,
    add_check,
    add_opportunity,
    add_shift,
    add_volunteer,
    open_campaign,
    register_church,
)
from tests.prayer.request_helpers import make_moderator, make_request
from volunteers import signups

pytestmark = pytest.mark.django_db

ADDRESS = "canary-person@example.org"
PHONE = "+919812345678"


def export_viewsets():
    """Every back-office listing with CSV/XLSX export buttons."""
    reverse("wagtailadmin_home")  # the admin's URLs, and with them its viewsets, are loaded
    return [
        viewset
        for viewset in admin_viewsets.viewsets
        if getattr(viewset, "list_export", None) not in (None, [], viewset.UNDEFINED)
    ]


@pytest.fixture
def people(site_pages):
    """A record with an address and a phone number behind every export."""
    home, _news = site_pages
    make_request("Pray for the shelter", submitter_email=ADDRESS, submitter_name="Canary")
    make_subscription(email=ADDRESS)
    volunteer = add_volunteer(email=ADDRESS, name="Canary Person", phone=PHONE)
    add_check(volunteer)
    shift = add_shift(add_opportunity(home))
    signups.sign_up_with_account(UserFactory(email=ADDRESS), shift)
    register_church(open_campaign(home), email=ADDRESS, phone=PHONE)


@pytest.fixture
def superuser(client):
    user = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def exported_rows(response, export_format):
    body = b"".join(response.streaming_content)
    if export_format == "csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1
    return load_workbook(io.BytesIO(body)).active.max_row - 1


def last_export():
    return ModelLogEntry.objects.filter(action=EXPORT_ACTION).order_by("-pk").first()


def test_every_export_in_the_back_office_is_audited():
    viewsets = export_viewsets()
    assert len(viewsets) >= 8
    unaudited = [
        type(viewset).__name__
        for viewset in viewsets
        if not issubclass(viewset.index_view_class, AuditedExportMixin)
    ]
    assert unaudited == []


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_each_export_logs_its_row_count_and_no_personal_data(
    client, people, superuser, export_format
):
    for viewset in export_viewsets():
        before = ModelLogEntry.objects.filter(action=EXPORT_ACTION).count()
        response = client.get(viewset.menu_url, {"export": export_format})
        assert response.status_code == 200, viewset.menu_url
        rows = exported_rows(response, export_format)

        assert ModelLogEntry.objects.filter(action=EXPORT_ACTION).count() == before + 1
        entry = last_export()
        what = str(viewset.model._meta.verbose_name_plural)
        assert entry.user_id == superuser.pk
        assert entry.data["rows"] == rows, viewset.menu_url
        assert entry.data["of"] == what and entry.data["format"] == export_format
        plural = "" if rows == 1 else "s"
        assert entry.message == f"Exported {rows} row{plural} of {what} ({export_format.upper()})"
        logged = entry.label + json.dumps(entry.data)
        assert ADDRESS not in logged and PHONE not in logged and "Canary" not in logged


def test_a_search_for_an_address_leaves_only_the_filter_name(client, people, superuser):
    response = client.get(
        "/admin/prayer/subscriptions/", {"q": ADDRESS, "status": "active", "export": "csv"}
    )
    assert exported_rows(response, "csv") == 1

    entry = last_export()
    assert entry.data["filtered_by"] == ["q", "status"]
    assert ADDRESS not in entry.label + json.dumps(entry.data)


def test_a_coordinators_export_is_logged_under_their_name(client, people):
    coordinator = UserFactory(email="coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Volunteer coordinators"))
    client.force_login(coordinator)

    client.get("/admin/volunteers/signups/", {"export": "csv"})

    entry = last_export()
    assert entry.user_id == coordinator.pk
    assert entry.data["of"] == "sign-ups"


def test_exports_show_in_the_site_history(client, people, superuser):
    client.get("/admin/campaigns/registrations/", {"export": "csv"})

    page = client.get("/admin/reports/site-history/").content.decode()

    assert "Exported 1 row of church registrations (CSV)" in page


def test_moderation_is_logged(client, site_pages):
    moderator = make_moderator(email="mod@example.org")
    client.force_login(moderator)
    prayer_request = make_request("Pray for the new shelter", status=PrayerRequest.Status.SUBMITTED)

    client.post(f"/admin/snippets/prayer/prayerrequest/moderate/{prayer_request.pk}/approve/")

    entry = ModelLogEntry.objects.get(action="vigil.prayer.approve")
    assert entry.object_id == str(prayer_request.pk) and entry.user_id == moderator.pk


def test_clearance_is_logged_by_number_not_name(client, site_pages):
    coordinator = UserFactory(email="coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Volunteer coordinators"))
    client.force_login(coordinator)
    volunteer = add_volunteer(email=ADDRESS, name="Canary Person", phone=PHONE)
    check = add_check(volunteer, verified_on=None, reference="CERT-424242")

    response = client.post(
        f"/admin/volunteers/checks/edit/{check.pk}/",
        {
            "volunteer": volunteer.pk,
            "kind": "police",
            "reference": "CERT-424242",
            "verified_on": "2026-03-02",
            "expires_on": "2029-03-02",
        },
    )
    assert response.status_code == 302

    entry = ModelLogEntry.objects.get(action="vigil.volunteers.clearance")
    assert entry.user_id == coordinator.pk
    assert entry.label == f"Safeguarding check #{check.pk}"
    assert entry.data["verified_on"] == "2026-03-02"
    logged = entry.label + json.dumps(entry.data)
    assert "Canary" not in logged and "CERT-424242" not in logged and ADDRESS not in logged


def test_saving_a_check_without_verifying_it_logs_no_clearance(client, site_pages):
    coordinator = UserFactory(email="coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Volunteer coordinators"))
    client.force_login(coordinator)
    volunteer = add_volunteer()
    check = add_check(volunteer, verified_on=datetime.date(2026, 1, 1))

    client.post(
        f"/admin/volunteers/checks/edit/{check.pk}/",
        {
            "volunteer": volunteer.pk,
            "kind": "police",
            "reference": "changed",
            "verified_on": "2026-01-01",
            "expires_on": "",
        },
    )

    assert not ModelLogEntry.objects.filter(action="vigil.volunteers.clearance").exists()
