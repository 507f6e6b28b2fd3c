"""Staff manage subscriptions and the suppression list in the Wagtail back office."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from core.models import Suppression
from digests.models import Subscription
from tests.digests.subscription_helpers import make_subscription, make_topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "prayer_subscriptions"
SUPPRESSIONS = "prayer_suppressions"


@pytest.fixture
def staff_client(client, site_pages):
    user = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def people(site_pages):
    children = make_topic("Children at risk")
    training = make_topic("Vocational training")
    return {
        "ruth": make_subscription(
            email="ruth@example.org", name="Ruth", topics=[children], wants_restricted=True
        ),
        "naomi": make_subscription(
            email="naomi@example.org",
            name="Naomi",
            frequency="daily",
            topics=[training],
            restricted_verified=True,
        ),
        "boaz": make_subscription(
            email="boaz@example.org", name='=HYPERLINK("http://evil")', frequency="monthly"
        ),
        "pending": make_subscription(email="pending@example.org", status="pending"),
        "topics": (children, training),
    }


def listing(client, **params):
    response = client.get(reverse(f"{SUBSCRIPTIONS}:index"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_outsiders_cannot_see_subscriptions(client, people):
    client.force_login(UserFactory(email="visitor@example.org"))

    response = client.get(reverse(f"{SUBSCRIPTIONS}:index"))

    assert response.status_code == 302
    assert "ruth@example.org" not in response.content.decode()


def test_filters_and_search(staff_client, people):
    children, _ = people["topics"]

    everyone = listing(staff_client)
    assert all(f"{name}@example.org" in everyone for name in ("ruth", "naomi", "boaz"))

    daily = listing(staff_client, frequency="daily")
    assert "naomi@example.org" in daily and "ruth@example.org" not in daily

    pending = listing(staff_client, status="pending")
    assert "pending@example.org" in pending and "naomi@example.org" not in pending

    by_topic = listing(staff_client, topics=children.pk)
    assert "ruth@example.org" in by_topic and "naomi@example.org" not in by_topic

    verified = listing(staff_client, restricted_verified="true")
    assert "naomi@example.org" in verified and "ruth@example.org" not in verified

    searched = listing(staff_client, q="Naomi")
    assert "naomi@example.org" in searched and "ruth@example.org" not in searched
    assert "boaz@example.org" in listing(staff_client, q="boaz@")


def test_csv_export_lists_topics_and_defuses_formulas(staff_client, people):
    response = staff_client.get(reverse(f"{SUBSCRIPTIONS}:index"), {"export": "csv"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Topics" in body.splitlines()[0]
    assert "ruth@example.org" in body and "Children at risk" in body
    assert "All topics" in body
    assert '\'=HYPERLINK(""http://evil"")' in body


def test_xlsx_export(staff_client, people):
    response = staff_client.get(
        reverse(f"{SUBSCRIPTIONS}:index"), {"export": "xlsx", "frequency": "daily"}
    )

    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert len(rows) == 2
    assert rows[1][0] == "naomi@example.org"


def test_staff_verify_a_supporter_for_restricted_items(staff_client, people):
    ruth = people["ruth"]
    url = reverse(f"{SUBSCRIPTIONS}:edit", args=[ruth.pk])

    form = staff_client.get(url).content.decode()
    assert 'name="restricted_verified"' in form
    assert 'name="email"' not in form, "staff do not rewrite what the supporter chose"

    response = staff_client.post(url, {"restricted_verified": "on"})

    assert response.status_code == 302
    ruth.refresh_from_db()
    assert ruth.restricted_verified and ruth.receives_restricted
    entry = ModelLogEntry.objects.get(object_id=str(ruth.pk), action="wagtail.edit")
    assert entry.label == f"Subscription #{ruth.pk}"
    assert "ruth@example.org" not in f"{entry.label} {entry.data}"


def test_staff_cannot_add_subscriptions_bypassing_confirmation(staff_client, people):
    response = staff_client.get(reverse(f"{SUBSCRIPTIONS}:add"))

    assert response.status_code in (302, 403)
    assert Subscription.objects.count() == 4


def test_staff_see_and_lift_a_suppression(staff_client, site_pages):
    suppression = Suppression.objects.create(
        email="full.mailbox@example.org", active=True, reason="soft_bounces", soft_bounce_count=3
    )
    Suppression.objects.create(email="old@example.org", active=False, soft_bounce_count=1)

    active_only = staff_client.get(reverse(f"{SUPPRESSIONS}:index"), {"active": "true"})
    html = active_only.content.decode()
    assert "full.mailbox@example.org" in html and "old@example.org" not in html

    url = reverse(f"{SUPPRESSIONS}:edit", args=[suppression.pk])
    response = staff_client.post(url, {})  # the "active" box unticked: lifted

    assert response.status_code == 302
    suppression.refresh_from_db()
    assert suppression.active is False
    assert suppression.soft_bounce_count == 0
    entry = ModelLogEntry.objects.get(object_id=str(suppression.pk))
    assert entry.label == f"Suppression #{suppression.pk}"
    assert entry.data["lifted"] is True
    assert "full.mailbox" not in f"{entry.label} {entry.data}"


def test_erasing_a_supporter_leaves_no_address_in_the_log(staff_client, people):
    naomi = people["naomi"]

    response = staff_client.post(reverse(f"{SUBSCRIPTIONS}:delete", args=[naomi.pk]))

    assert response.status_code == 302
    assert not Subscription.objects.filter(email="naomi@example.org").exists()
    entry = ModelLogEntry.objects.get(object_id=str(naomi.pk), action="wagtail.delete")
    assert entry.label == f"Subscription #{naomi.pk}"
    assert not ModelLogEntry.objects.filter(label__icontains="naomi").exists()
