"""Moderation at campaign scale: approve, reject or archive many prayer requests in one step
after reading each one on one confirmation page, under the rules of the single Approve page."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import ModelLogEntry

from prayer.models import PrayerRequest
from tests.factories import UserFactory, add_consent
from tests.prayer.request_helpers import make_moderator, make_request, make_wall

pytestmark = pytest.mark.django_db

Status = PrayerRequest.Status
LIST = "/admin/snippets/prayer/prayerrequest/"
BULK = "/admin/bulk/prayer/prayerrequest/"


@pytest.fixture
def moderator(site_pages):
    return make_moderator(email="moderator@example.org")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def submitted(count, **fields):
    return [
        make_request(f"Campaign request {number:02d}", status=Status.SUBMITTED, **fields)
        for number in range(count)
    ]


def bulk_url(action, requests, extra=""):
    ids = "&".join(f"id={prayer_request.pk}" for prayer_request in requests)
    return f"{BULK}{action}/?{ids}{extra}"


def statuses(requests):
    return {
        prayer_request.status
        for prayer_request in PrayerRequest.objects.filter(pk__in=[r.pk for r in requests])
    }


def test_forty_requests_are_approved_in_one_step_and_reach_the_wall(
    client, moderator_client, moderator, site_pages
):
    wall = make_wall(site_pages[0])
    requests = submitted(40)

    confirm = moderator_client.get(bulk_url("approve", requests))
    assert confirm.status_code == 200
    assert statuses(requests) == {Status.SUBMITTED}, "reading the page changes nothing"

    response = moderator_client.post(bulk_url("approve", requests, f"&next={LIST}"))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert statuses(requests) == {Status.APPROVED}
    assert set(
        PrayerRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "moderated_by", flat=True
        )
    ) == {moderator.pk}
    entries = ModelLogEntry.objects.filter(action="vigil.prayer.approve")
    assert sorted(int(entry.object_id) for entry in entries) == sorted(r.pk for r in requests)
    assert "40 prayer requests approved." in moderator_client.get(LIST).content.decode()

    client.logout()
    wall_html = client.get(wall.url, {"page": 1}).content.decode()
    assert "Campaign request" in wall_html
    assert PrayerRequest.objects.on_wall().filter(pk__in=[r.pk for r in requests]).count() == 40


@pytest.mark.parametrize(
    ("action", "status", "past_tense"),
    [("reject", Status.REJECTED, "rejected"), ("archive", Status.ARCHIVED, "archived")],
)
def test_reject_and_archive_in_bulk(moderator_client, action, status, past_tense):
    requests = submitted(3)
    assert moderator_client.get(bulk_url(action, requests)).status_code == 200
    moderator_client.post(bulk_url(action, requests))
    assert statuses(requests) == {status}
    assert ModelLogEntry.objects.filter(action=f"vigil.prayer.{action}").count() == 3
    assert f"3 prayer requests {past_tense}." in moderator_client.get(LIST).content.decode()


def test_a_mixed_selection_moderates_what_it_may_and_says_why_not_the_rest(
    moderator_client, time_machine
):
    time_machine.move_to("2026-06-01 10:00Z", tick=False)
    fine = submitted(3)
    ended = make_request("Meera's court case", status=Status.SUBMITTED)
    add_consent(ended, expires_on=datetime.date(2026, 5, 1))
    current = make_request("Exams with consent", status=Status.SUBMITTED)
    add_consent(current, expires_on=datetime.date(2027, 5, 1))
    already = make_request("Already on the wall", status=Status.APPROVED)
    selection = [*fine, ended, current, already]

    page = moderator_client.get(bulk_url("approve", selection)).content.decode()
    assert "4 of 6 will be approved" in page
    assert page.count("data-refusal") == 2
    assert "withdrawn or has expired" in page
    assert "Yes, approve 4" in page

    moderator_client.post(bulk_url("approve", selection))
    assert statuses([*fine, current, already]) == {Status.APPROVED}
    assert PrayerRequest.objects.get(pk=ended.pk).status == Status.SUBMITTED
    assert ModelLogEntry.objects.filter(action="vigil.prayer.approve").count() == 4
    listing = moderator_client.get(LIST).content.decode()
    assert "4 prayer requests approved. 2 not approved: see why below." in listing
    assert f"#{ended.pk} “Meera&#x27;s court case” was not approved:" in listing
    assert "withdrawn or has expired" in listing
    assert f"#{already.pk} “Already on the wall” was not approved:" in listing


def test_nothing_that_can_change_offers_no_button(moderator_client):
    already = [make_request("On the wall", status=Status.APPROVED)]
    page = moderator_client.get(bulk_url("approve", already)).content.decode()
    assert "None of the selected prayer requests can be approved." in page
    assert "Yes, approve" not in page
    moderator_client.post(bulk_url("approve", already))
    assert not ModelLogEntry.objects.filter(action="vigil.prayer.approve").exists()


def test_the_confirmation_shows_each_requests_text_with_its_personal_details_marked(
    moderator_client,
):
    asha = make_request(
        "Call Asha",
        status=Status.SUBMITTED,
        public_text="Ring her on 07700 900123, she lives at 12 Mill Road.",
    )
    calm = make_request("Exams", status=Status.SUBMITTED, public_text="Pray for calm minds.")
    hostile = make_request(
        "<script>alert(1)</script>", status=Status.SUBMITTED, public_text="<b>bold</b>"
    )

    titled = make_request("Ring Meera on 07700 900456", status=Status.SUBMITTED)

    page = moderator_client.get(bulk_url("approve", [asha, calm, hostile, titled])).content.decode()

    assert page.count("data-bulk-request") == 4
    assert (
        f"#{titled.pk} Ring Meera on "
        '<mark class="pii pii--phone" title="Looks like a phone number">07700 900456</mark>'
    ) in page
    assert "Title: looks like a phone number: <mark>07700 900456</mark>" in page
    assert (
        'Ring her on <mark class="pii pii--phone" title="Looks like a phone number">'
        "07700 900123</mark>, she lives at "
        '<mark class="pii pii--address" title="Looks like a street address">12 Mill Road</mark>.'
    ) in page
    assert "Pray for calm minds." in page
    assert "No phone numbers, email addresses or street addresses spotted" in page
    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "Approve 4 prayer requests" in page


@pytest.mark.parametrize("ids", ["id=abc", "id=999999", "id=", "id=1%00", ""])
def test_malformed_or_unknown_ids_are_not_a_500(moderator_client, ids):
    response = moderator_client.get(f"{BULK}approve/?{ids}")
    assert response.status_code == 200
    assert "could be found" in response.content.decode()
    assert moderator_client.post(f"{BULK}approve/?{ids}").status_code == 302


@pytest.mark.parametrize("action", ["approve", "reject", "archive"])
@pytest.mark.parametrize(
    "group", ["Editors", "Volunteer coordinators", "Campaign coordinators", "view only"]
)
def test_other_groups_are_refused_the_bulk_actions(client, site_pages, group, action):
    requests = submitted(2)
    user = UserFactory(is_staff=False)
    if group == "view only":
        group_ = Group.objects.create(name="Readers")
        group_.permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_prayerrequest"),
        )
    else:
        group_ = Group.objects.get(name=group)
    user.groups.add(group_)
    client.force_login(user)

    for response in (
        client.get(bulk_url(action, requests)),
        client.post(bulk_url(action, requests)),
    ):
        assert response.status_code in (302, 403)
        assert b"Campaign request" not in response.content
    assert statuses(requests) == {Status.SUBMITTED}
    assert not ModelLogEntry.objects.filter(action__startswith="vigil.prayer.").exists()


def test_only_moderators_see_the_bulk_actions_on_the_list(client, moderator_client, site_pages):
    submitted(2)
    html = moderator_client.get(LIST).content.decode()
    for action in ("approve", "reject", "archive"):
        assert f'href="{BULK}{action}/"' in html
    assert "data-bulk-action-checkbox" in html

    reader = UserFactory(is_staff=False)
    readers = Group.objects.create(name="Readers")
    readers.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_prayerrequest"),
    )
    reader.groups.add(readers)
    client.force_login(reader)
    html = client.get(LIST).content.decode()
    assert "Campaign request 00" in html
    assert BULK not in html
    assert "data-bulk-action-checkbox" not in html


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_asks_a_fixed_number_of_queries(
    moderator_client, django_assert_max_num_queries, rows
):
    submitted(rows)
    with django_assert_max_num_queries(16):
        response = moderator_client.get(LIST)
    assert response.status_code == 200


def test_the_single_approve_page_names_the_request_and_shows_its_text(moderator_client):
    prayer_request = make_request(
        "For my sister who is looking for work in the city",
        status=Status.SUBMITTED,
        public_text="Pray for Leela. Write to leela@example.org.",
    )
    page = moderator_client.get(f"{LIST}moderate/{prayer_request.pk}/approve/").content.decode()
    header = f"Approve prayer request #{prayer_request.pk} “For my sister who is looking for…”"
    assert f"<title>{header}" in page
    visible_crumb = re.search(
        r'<li\s+class="[^"]*w-font-bold[^"]*"\s*>((?:(?!</li>).)*)', page, re.S
    )
    assert header in visible_crumb.group(1), "the last crumb, shown as the page's header"
    assert "<h2>The text you are about to approve</h2>" in page
    assert (
        'Pray for Leela. Write to <mark class="pii pii--email" '
        'title="Looks like an email address">leela@example.org</mark>.'
    ) in page
    reject = moderator_client.get(f"{LIST}moderate/{prayer_request.pk}/reject/").content.decode()
    assert f"Reject prayer request #{prayer_request.pk}" in reject


@pytest.mark.parametrize("rows", [2, 40])
def test_the_confirmation_asks_a_fixed_number_of_queries(
    moderator_client, django_assert_max_num_queries, rows
):
    requests = submitted(rows)
    with django_assert_max_num_queries(12):
        response = moderator_client.get(bulk_url("approve", requests))
    assert response.content.decode().count("data-bulk-request") == rows


def test_select_all_in_a_filtered_listing_takes_only_what_it_shows(moderator_client):
    waiting = submitted(3)
    rejected = make_request("Rejected long ago", status=Status.REJECTED)
    answered = make_request("Answered", status=Status.ANSWERED)
    searched = f"{BULK}approve/?status=submitted&id=all"

    page = moderator_client.get(searched).content.decode()
    assert page.count("data-bulk-request") == 3
    assert "Rejected long ago" not in page

    moderator_client.post(searched)
    assert statuses(waiting) == {Status.APPROVED}
    assert PrayerRequest.objects.get(pk=rejected.pk).status == Status.REJECTED
    assert PrayerRequest.objects.get(pk=answered.pk).status == Status.ANSWERED

    page = moderator_client.get(f"{BULK}archive/?q=long+ago&id=all").content.decode()
    assert page.count("data-bulk-request") == 1 and "Rejected long ago" in page


@pytest.mark.parametrize(("action", "warned"), [("approve", True), ("reject", False)])
def test_the_public_warning_only_when_the_text_goes_public(moderator_client, action, warned):
    phone = make_request("Call me", status=Status.SUBMITTED, public_text="On 07700 900123.")
    warning = "this text will be public"
    for url in (bulk_url(action, [phone]), f"{LIST}moderate/{phone.pk}/{action}/"):
        page = moderator_client.get(url).content.decode()
        assert (warning in page) is warned, url
        assert "<mark" in page
