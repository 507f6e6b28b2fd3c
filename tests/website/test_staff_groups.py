"""Each staff group reaches its own part of the back office and is refused the rest.

Signed in as a member of each group (and nothing else): their screens and exports open,
every other group's screens and exports are refused, and the menu shows only their own.
Every chooser in Wagtail's registry opens only for the groups that may see its model
(what the choosers and the rest of the back office show is crawled for restricted prayer
text in test_back_office_leaks.py).
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.coreutils import resolve_model_string
from wagtail.permission_policies.collections import CollectionPermissionLookupMixin
from wagtail.permissions import policy_registry

from prayer.models import PrayerRequest
from tests.factories import RegionFactory, UserFactory, make_image
from tests.prayer.request_helpers import make_request, make_topic
from volunteers.models import Skill

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
STAFF_GROUPS = ["Editors", *sorted(AREAS)]


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
        make_image() if group == "Editors" else PrayerRequest.objects.create(title="A request")
    )
    record = ConsentRecord.objects.create_for(
        content, given_by="Someone", covers="All", given_on=datetime.date(2026, 1, 1)
    )

    assert client.get(f"/admin/consent/{prefix}/new/").status_code == 200
    assert client.get(f"/admin/consent/{prefix}/edit/{record.pk}/").status_code == 200
    assert refused(client.get(f"/admin/consent/{prefix}/delete/{record.pk}/"))
    assert refused(client.post(f"/admin/consent/{prefix}/delete/{record.pk}/"))
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert f"/admin/consent/{prefix}/" in client.get("/admin/").content.decode()


def model_choosers():
    """Every model chooser in Wagtail's viewset registry: each snippet's, and any other. A
    snippet added later is tested here without a new line. Wagtail's image and document
    choosers are not: they offer only what the user's collections allow, and the leak crawl
    covers them."""
    reverse("wagtailadmin_home")  # the admin registers its viewsets as its URLs load
    found = []
    for viewset in viewsets.viewsets:
        if isinstance(viewset, ChooserViewSet):
            model = resolve_model_string(viewset.model)
            if not isinstance(policy_registry.get_by_type(model), CollectionPermissionLookupMixin):
                found.append((model, viewset))
    return found


def may_see(user, model):
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("view", "change")
    )


@pytest.fixture
def one_of_each():
    """A record of every Vigil snippet, so that each chooser has something to offer."""
    return [
        make_request("An unmoderated request", status=PrayerRequest.Status.SUBMITTED),
        make_topic(),
        RegionFactory(),
        Skill.objects.create(name="Cooking", slug="cooking"),
    ]


def test_every_snippet_has_a_chooser_under_test():
    from wagtail.snippets.models import get_snippet_models

    assert {model for model, _ in model_choosers()} >= set(get_snippet_models())
    assert PrayerRequest in {model for model, _ in model_choosers()}


@pytest.mark.parametrize("group", STAFF_GROUPS)
def test_every_chooser_opens_only_for_groups_that_may_see_its_model(client, group, one_of_each):
    user = member_of(client, group)
    wrong = []

    for model, chooser in model_choosers():
        row = model._default_manager.first()
        pk = row.pk if row else 0
        doors = {
            "choose": reverse(chooser.get_url_name("choose")),
            "results": reverse(chooser.get_url_name("choose_results")),
            "chosen": reverse(chooser.get_url_name("chosen"), args=[pk]),
            "chosen-multiple": reverse(chooser.get_url_name("chosen_multiple")) + f"?id={pk}",
        }
        allowed = may_see(user, model)
        for name, url in doors.items():
            response = client.get(url)
            if allowed and name != "chosen" or allowed and row:
                ok = response.status_code == 200
            else:
                ok = refused(response)
            if not ok:
                wrong.append(f"{model.__name__} {name}: {response.status_code}")
        create = client.get(reverse(chooser.get_url_name("create")))
        if not allowed and not refused(create):
            wrong.append(f"{model.__name__} create: {create.status_code}")

    assert wrong == [], f"{group}: {wrong}"


@pytest.mark.parametrize("group", STAFF_GROUPS)
def test_bulk_deleting_snippets_opens_only_for_groups_that_may_delete_them(
    client, group, one_of_each
):
    user = member_of(client, group)

    for row in one_of_each:
        opts = row._meta
        url = f"/admin/bulk/{opts.app_label}/{opts.model_name}/delete/?id={row.pk}"
        response = client.get(url)
        if user.has_perm(f"{opts.app_label}.delete_{opts.model_name}"):
            assert response.status_code == 200, url
        else:
            assert refused(response), f"{group} reached {url}"
        assert type(row)._default_manager.filter(pk=row.pk).exists()
