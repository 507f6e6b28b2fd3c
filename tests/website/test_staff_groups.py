"""Each staff group reaches its own part of the back office and is refused the rest.

Signed in as a member of each group (and nothing else): their screens and exports open,
every other group's screens and exports are refused, and the menu shows only their own.
"""

import datetime

import pytest
from django.contrib.auth.models import Group

from prayer.models import PrayerRequest
from tests.factories import UserFactory, make_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]

PRAYER = [
    "/admin/snippets/prayer/prayerrequest/",
    "/admin/prayer/subscriptions/",
    "/admin/prayer/suppressions/",
    "/admin/prayer/digests/",
    "/admin/consent/prayer-requests/",
]
VOLUNTEERS = [
    "/admin/volunteers/shifts/",
    "/admin/volunteers/signups/",
    "/admin/volunteers/people/",
    "/admin/volunteers/checks/",
]
CAMPAIGNS = [
    "/admin/campaigns/registrations/",
    "/admin/campaigns/contacts/",
    "/admin/campaigns/updates/",
]
EDITORIAL = [
    "/admin/pages/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/consent/stories-and-photos/",
]
EXPORTS = {
    "/admin/prayer/subscriptions/": "prayer",
    "/admin/volunteers/signups/": "volunteers",
    "/admin/campaigns/registrations/": "campaigns",
}

AREAS = {
    "Prayer moderators": PRAYER,
    "Volunteer coordinators": VOLUNTEERS,
    "Campaign coordinators": CAMPAIGNS,
}


def member_of(client, group):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def refused(response):
    """Wagtail answers a screen one may not see with a redirect to the dashboard or a 403."""
    return (
        response.status_code in (302, 403)
        and b"text/csv" not in response.get("Content-Type", "").encode()
    )


@pytest.mark.parametrize("group", sorted(AREAS))
def test_each_coordinator_group_opens_its_own_screens_and_nobody_elses(client, group):
    member_of(client, group)

    for url in AREAS[group]:
        assert client.get(url).status_code == 200, url
    for other, urls in AREAS.items():
        if other == group:
            continue
        for url in urls:
            assert refused(client.get(url)), f"{group} reached {url}"


@pytest.mark.parametrize("group", sorted(AREAS))
def test_exports_belong_to_their_group(client, group):
    member_of(client, group)

    for url in EXPORTS:
        response = client.get(url, {"export": "csv"})
        if url in AREAS[group]:
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")
        else:
            assert refused(response), f"{group} exported {url}"


@pytest.mark.parametrize("group", sorted(AREAS))
def test_coordinators_are_not_editors(client, group, site_pages):
    home, _ = site_pages
    member_of(client, group)

    for url in [f"/admin/pages/{home.pk}/add_subpage/", "/admin/images/multiple/add/"]:
        assert refused(client.get(url)), f"{group} reached {url}"


def test_editors_edit_content_and_see_no_people(client):
    member_of(client, "Editors")

    for url in EDITORIAL:
        assert client.get(url).status_code == 200, url
    for urls in AREAS.values():
        for url in urls:
            assert refused(client.get(url)), f"Editors reached {url}"


@pytest.mark.parametrize("group", sorted(AREAS))
def test_the_menu_shows_only_the_groups_own_areas(client, group):
    member_of(client, group)

    html = client.get("/admin/").content.decode()

    for other, urls in AREAS.items():
        shown = [url for url in urls if url in html]
        if other == group:
            assert shown, f"{group} sees none of its own screens in the menu"
        else:
            assert shown == [], f"{group} sees {shown} in the menu"


@pytest.mark.parametrize("group", sorted(AREAS))
def test_only_editors_record_consent_for_stories_and_photos(client, group):
    member_of(client, group)

    for url in ["/admin/consent/stories-and-photos/", "/admin/consent/stories-and-photos/new/"]:
        assert refused(client.get(url)), f"{group} reached {url}"
    assert "/admin/consent/stories-and-photos/" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "group, prefix",
    [("Editors", "stories-and-photos"), ("Prayer moderators", "prayer-requests")],
)
def test_consent_is_recorded_and_changed_but_never_deleted_by_staff(client, group, prefix):
    from website.models import ConsentRecord

    member_of(client, group)
    content = (
        {"image": make_image()}
        if group == "Editors"
        else {"prayer_request": PrayerRequest.objects.create(title="A request")}
    )
    record = ConsentRecord.objects.create(
        given_by="Someone", covers="All", given_on=datetime.date(2026, 1, 1), **content
    )

    assert client.get(f"/admin/consent/{prefix}/new/").status_code == 200
    assert client.get(f"/admin/consent/{prefix}/edit/{record.pk}/").status_code == 200
    assert refused(client.get(f"/admin/consent/{prefix}/delete/{record.pk}/"))
    assert refused(client.post(f"/admin/consent/{prefix}/delete/{record.pk}/"))
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert f"/admin/consent/{prefix}/" in client.get("/admin/").content.decode()
