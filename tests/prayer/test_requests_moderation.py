"""The back office for prayer requests: list, filters, search, export, moderation and its log."""

import csv
import io

import pytest
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from prayer.models import PrayerRequest
from tests.factories import UserFactory
from tests.prayer.request_helpers import (
    make_moderator,
    make_region,
    make_request,
    make_topic,
)

pytestmark = pytest.mark.django_db

Status = PrayerRequest.Status
BASE = "/admin/snippets/prayer/prayerrequest/"


@pytest.fixture
def moderator(site_pages):
    return make_moderator(email="moderator@example.org")


@pytest.fixture
def admin_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def requests_set():
    children, justice = make_topic("Children"), make_topic("Justice")
    kolkata, mumbai = make_region("Kolkata"), make_region("Mumbai")
    return {
        "exams": make_request(
            "School exams", topics=[children], regions=[kolkata], status=Status.SUBMITTED
        ),
        "court": make_request("Court hearing", topics=[justice], regions=[mumbai], urgent=True),
        "club": make_request(
            "Holiday club",
            topics=[children],
            regions=[mumbai],
            status=Status.ANSWERED,
            praise_report="Ten volunteers came.",
        ),
    }


def listed(response):
    html = response.content.decode()
    return {title for title in ("School exams", "Court hearing", "Holiday club") if title in html}


def test_outsider_cannot_see_the_list(client, site_pages, requests_set):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(BASE)
    assert response.status_code in (302, 403)


def test_moderator_sees_the_list(admin_client, requests_set):
    response = admin_client.get(BASE)
    assert response.status_code == 200
    assert listed(response) == {"School exams", "Court hearing", "Holiday club"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "submitted"}, {"School exams"}),
        ({"status": "answered"}, {"Holiday club"}),
        ({"urgent": "true"}, {"Court hearing"}),
        ("topics", {"School exams", "Holiday club"}),
        ("regions", {"Court hearing", "Holiday club"}),
        ({"q": "court"}, {"Court hearing"}),
        ({"q": "<script>alert(1)</script>"}, set()),
    ],
)
def test_filters_and_search(admin_client, requests_set, query, expected):
    if query == "topics":
        query = {"topics": make_topic("Children").pk}
    elif query == "regions":
        query = {"regions": make_region("Mumbai").pk}
    response = admin_client.get(f"{BASE}results/", query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_csv_export(admin_client, requests_set):
    response = admin_client.get(BASE, {"export": "csv", "status": "answered"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "prayer-requests.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 1
    row = rows[0]
    assert row["Title"] == "Holiday club"
    assert row["Topics"] == "Children" and row["Regions"] == "Mumbai"
    assert row["Praise report"] == "Ten volunteers came."
    assert "Restricted text" not in row


def test_xlsx_export(admin_client, requests_set):
    response = admin_client.get(BASE, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    headings = [cell.value for cell in sheet[1]]
    assert headings[:3] == ["ID", "Title", "Status"]
    assert sheet.max_row == 4


def test_edit_view_highlights_personal_details(admin_client):
    prayer_request = make_request(
        "Call Asha",
        status=Status.SUBMITTED,
        public_text="Ring her on 07700 900123 or asha@example.org, she lives at 12 Mill Road.",
    )
    response = admin_client.get(f"{BASE}edit/{prayer_request.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Looks like a phone number: <mark>07700 900123</mark>" in html
    assert "Looks like an email address: <mark>asha@example.org</mark>" in html
    assert "Looks like a street address: <mark>12 Mill Road</mark>" in html
    assert 'class="pii pii--phone"' in html


def test_edit_view_says_when_nothing_was_spotted(admin_client):
    prayer_request = make_request("Exams", public_text="Pray for calm minds.")
    html = admin_client.get(f"{BASE}edit/{prayer_request.pk}/").content.decode()
    assert "No phone numbers, email addresses or street addresses spotted" in html


def test_edit_form_escapes_hostile_text(admin_client):
    prayer_request = make_request(
        "<script>alert(1)</script>", public_text="<script>alert(2)</script> 07700 900123"
    )
    html = admin_client.get(f"{BASE}edit/{prayer_request.pk}/").content.decode()
    assert "<script>alert(2)</script>" not in html


@pytest.mark.parametrize(
    ("action", "status", "log_action"),
    [
        ("approve", Status.APPROVED, "vigil.prayer.approve"),
        ("reject", Status.REJECTED, "vigil.prayer.reject"),
        ("answer", Status.ANSWERED, "vigil.prayer.answer"),
        ("archive", Status.ARCHIVED, "vigil.prayer.archive"),
    ],
)
def test_moderation_actions_record_who_and_when(
    admin_client, moderator, action, status, log_action, time_machine
):
    time_machine.move_to("2026-06-01 10:00Z", tick=False)
    prayer_request = make_request("School exams", status=Status.SUBMITTED)
    url = f"{BASE}moderate/{prayer_request.pk}/{action}/"

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    prayer_request.refresh_from_db()
    assert prayer_request.status == Status.SUBMITTED

    response = admin_client.post(url)
    assert response.status_code == 302
    prayer_request.refresh_from_db()
    assert prayer_request.status == status
    assert prayer_request.moderated_by == moderator
    assert prayer_request.moderated_at.isoformat() == "2026-06-01T10:00:00+00:00"
    if status in (Status.APPROVED, Status.ANSWERED):
        assert prayer_request.approved_at == prayer_request.moderated_at
    else:
        assert prayer_request.approved_at is None
    if status == Status.ANSWERED:
        assert prayer_request.answered_at == prayer_request.moderated_at
    entry = ModelLogEntry.objects.get(action=log_action)
    assert entry.user == moderator
    assert entry.object_id == str(prayer_request.pk)
    assert entry.timestamp.isoformat() == "2026-06-01T10:00:00+00:00"


def test_moderating_twice_logs_once(admin_client):
    prayer_request = make_request("School exams", status=Status.SUBMITTED)
    url = f"{BASE}moderate/{prayer_request.pk}/approve/"
    admin_client.post(url)
    first = PrayerRequest.objects.get(pk=prayer_request.pk).moderated_at
    assert admin_client.post(url).status_code == 302
    assert ModelLogEntry.objects.filter(action="vigil.prayer.approve").count() == 1
    assert PrayerRequest.objects.get(pk=prayer_request.pk).moderated_at == first


def test_log_entries_appear_in_the_history(admin_client):
    prayer_request = make_request("School exams", status=Status.SUBMITTED)
    admin_client.post(f"{BASE}moderate/{prayer_request.pk}/approve/")
    html = admin_client.get(f"{BASE}history/{prayer_request.pk}/").content.decode()
    assert "Approved for the wall" in html


def test_unknown_action_and_outsiders_are_refused(client, admin_client, site_pages):
    prayer_request = make_request("School exams", status=Status.SUBMITTED)
    assert admin_client.post(f"{BASE}moderate/{prayer_request.pk}/publish/").status_code == 404
    assert admin_client.post(f"{BASE}moderate/999999/approve/").status_code == 404
    admin_client.logout()
    admin_client.force_login(UserFactory(is_staff=True))
    assert admin_client.post(f"{BASE}moderate/{prayer_request.pk}/approve/").status_code in (
        302,
        403,
    )
    prayer_request.refresh_from_db()
    assert prayer_request.status == Status.SUBMITTED
    assert not ModelLogEntry.objects.filter(action__startswith="vigil.prayer.").exists()


def test_approving_through_the_edit_form_is_logged(admin_client, moderator):
    topic = make_topic("Children")
    prayer_request = make_request("School exams", status=Status.SUBMITTED)
    response = admin_client.post(
        f"{BASE}edit/{prayer_request.pk}/",
        {
            "title": "School exams",
            "public_text": "Pray for calm minds.",
            "restricted_text": "",
            "status": "approved",
            "topics": [topic.pk],
            "praise_report": "",
            "submitter_name": "",
            "submitter_email": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    prayer_request.refresh_from_db()
    assert prayer_request.status == Status.APPROVED
    assert prayer_request.moderated_by == moderator
    assert list(prayer_request.topics.all()) == [topic]
    assert ModelLogEntry.objects.filter(action="vigil.prayer.approve").count() == 1


def test_list_offers_moderation_actions(admin_client, requests_set):
    html = admin_client.get(BASE).content.decode()
    assert f"moderate/{requests_set['exams'].pk}/approve/" in html


def test_topics_are_editable_snippets(admin_client):
    response = admin_client.post(
        "/admin/snippets/prayer/topic/add/",
        {"name": "Rescue", "slug": "rescue", "description": "Night outreach"},
    )
    assert response.status_code == 302
    assert make_topic("Rescue").description == "Night outreach"


def test_anonymous_visitors_are_sent_to_sign_in(client, site_pages):
    response = client.get(BASE)
    assert response.status_code == 302
    assert "login" in response["Location"]
