"""The back office for digests: issues with their counts and progress, failed deliveries."""

import pytest
from django.contrib.auth.models import Group, Permission

from digests.models import DigestDelivery, DigestIssue, Subscription
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, site_pages):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def issue():
    issue = DigestIssue.objects.create(
        content_key="k",
        subject="Prayer update: 3 requests",
        body_text="text",
        body_html="<p>html</p>",
        browser_html="<p>public</p>",
    )
    statuses = ["sent"] * 5 + ["failed"] * 2 + ["suppressed"] + ["pending"] * 2
    subs = Subscription.objects.bulk_create(
        Subscription(email=f"p{i}@example.org", status="active") for i in range(len(statuses))
    )
    DigestDelivery.objects.bulk_create(
        DigestDelivery(
            issue=issue,
            subscription=sub,
            status=status,
            attempts=5 if status == "failed" else 1,
            last_error="AnymailRequestsAPIError: HTTP 503" if status == "failed" else "",
        )
        for sub, status in zip(subs, statuses, strict=True)
    )
    return issue


def test_issue_list_shows_counts_and_progress(admin_client, issue):
    response = admin_client.get("/admin/prayer/digests/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Prayer update: 3 requests" in page
    assert "8 of 10 done (80%)" in page
    for label in ("Due", "Sent", "Failed", "Suppressed"):
        assert label in page


def test_issue_inspect_view(admin_client, issue):
    response = admin_client.get(f"/admin/prayer/digests/inspect/{issue.pk}/")
    assert response.status_code == 200
    assert "Prayer update: 3 requests" in response.content.decode()


def test_failed_deliveries_are_listed_with_their_error(admin_client, issue):
    response = admin_client.get("/admin/prayer/digest-deliveries/?status=failed")

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("AnymailRequestsAPIError: HTTP 503") == 2


def test_each_delivery_opens_from_the_list(admin_client, issue):
    failed = DigestDelivery.objects.filter(status="failed").first()
    page = admin_client.get("/admin/prayer/digest-deliveries/?status=failed").content.decode()
    assert f'href="/admin/prayer/digest-deliveries/inspect/{failed.pk}/"' in page


def test_no_one_can_add_or_edit_issues(admin_client, issue):
    assert admin_client.get("/admin/prayer/digests/new/").status_code in (302, 403, 404)
    assert admin_client.get(f"/admin/prayer/digests/edit/{issue.pk}/").status_code in (
        302,
        403,
        404,
    )


def test_staff_without_permission_cannot_see_issues(client, site_pages, issue):
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="Editors only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)

    response = client.get("/admin/prayer/digests/")

    assert response.status_code in (302, 403)
