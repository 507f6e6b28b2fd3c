"""Each staff group reaches its own part of the back office and is refused the rest.

Signed in as a member of each group (and nothing else): their screens and exports open,
every other group's screens and exports are refused, and the menu shows only their own.
"""

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]

PRAYER = [
    "/admin/snippets/prayer/prayerrequest/",
    "/admin/prayer/subscriptions/",
    "/admin/prayer/suppressions/",
    "/admin/prayer/digests/",
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
EDITORIAL = ["/admin/pages/", "/admin/images/", "/admin/documents/"]
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
