"""Opportunities needing a safeguarding check: pending clearance, verification, expiry."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory, add_check, add_opportunity, add_shift, add_volunteer
from volunteers import signups
from volunteers.models import SafeguardingCheck, SignUp, Volunteer
from volunteers.tasks import remind_expiring_checks, withdraw_expired_clearances

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded_shift(site_pages):
    home, _news = site_pages
    opportunity = add_opportunity(home, requires_safeguarding_check=True)
    return add_shift(opportunity, capacity=1)


def account_for(volunteer):
    user = UserFactory(email=volunteer.email)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    return user


def test_uncleared_volunteer_waits_without_a_spot(guarded_shift):
    volunteer = add_volunteer()
    signup = signups.sign_up_with_account(account_for(volunteer), guarded_shift)
    assert signup.status == SignUp.Status.PENDING_CLEARANCE
    guarded_shift.refresh_from_db()
    assert guarded_shift.confirmed_count == 0
    assert "CANARY-ADDRESS" not in mail.outbox[-1].body
    assert "safeguarding check" in mail.outbox[-1].body


def test_verification_confirms_while_a_spot_remains(guarded_shift, admin_client):
    first, second = add_volunteer(name="First"), add_volunteer(name="Second")
    a = signups.sign_up_with_account(account_for(first), guarded_shift)
    b = signups.sign_up_with_account(account_for(second), guarded_shift)
    assert (a.status, b.status) == ("pending_clearance", "pending_clearance")

    today = timezone.localdate()
    response = admin_client.post(
        "/admin/volunteers/checks/new/",
        {
            "volunteer": first.pk,
            "kind": "police",
            "reference": "PC-1",
            "verified_on": today.isoformat(),
            "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content[:3000]
    check = SafeguardingCheck.objects.get()
    assert check.verified_by.is_superuser
    a.refresh_from_db()
    assert a.status == SignUp.Status.CONFIRMED
    assert "CANARY-ADDRESS" in mail.outbox[-1].body, "confirmed and cleared: address sent"

    add_check(second)
    signups.clearance_changed(second)
    b.refresh_from_db()
    assert b.status == SignUp.Status.WAITLISTED, "cleared, but the only spot is taken"


def test_expired_check_moves_future_signups_back_to_pending(guarded_shift):
    volunteer = add_volunteer()
    check = add_check(volunteer, expires_on=timezone.localdate() + datetime.timedelta(days=10))
    shift_day = guarded_shift.local_starts_at.date()
    assert check.expires_on > shift_day
    signup = signups.sign_up_with_account(account_for(volunteer), guarded_shift)
    assert signup.status == SignUp.Status.CONFIRMED
    waiting = signups.sign_up_with_account(account_for(add_volunteer(name="W")), guarded_shift)
    add_check(waiting.volunteer)
    SignUp.objects.filter(pk=waiting.pk).update(status="waitlisted", waitlisted_at=timezone.now())

    SafeguardingCheck.objects.filter(pk=check.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert withdraw_expired_clearances() == 1
    assert withdraw_expired_clearances() == 0, "idempotent"
    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert signup.status == SignUp.Status.PENDING_CLEARANCE
    assert waiting.status == SignUp.Status.CONFIRMED, "the freed spot went to the waitlist"
    guarded_shift.refresh_from_db()
    assert guarded_shift.confirmed_count == 1


def test_a_check_expiring_before_the_shift_does_not_clear(guarded_shift):
    volunteer = add_volunteer()
    add_check(volunteer, expires_on=timezone.localdate() + datetime.timedelta(days=1))
    signup = signups.sign_up_with_account(account_for(volunteer), guarded_shift)
    assert signup.status == SignUp.Status.PENDING_CLEARANCE


def test_expiring_checks_remind_volunteer_and_coordinators_once(site_pages):
    coordinator = UserFactory(email="coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Volunteer coordinators"))
    volunteer = add_volunteer(email="asha@example.org")
    add_check(volunteer, expires_on=timezone.localdate() + datetime.timedelta(days=20))
    add_check(add_volunteer(), expires_on=timezone.localdate() + datetime.timedelta(days=90))
    assert remind_expiring_checks() == 1
    assert remind_expiring_checks() == 0
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["asha@example.org", "coordinator@example.org"]
    assert all(message.alternatives for message in mail.outbox)


def test_check_dates_are_validated_in_the_back_office(admin_client, site_pages):
    volunteer = add_volunteer()
    response = admin_client.post(
        "/admin/volunteers/checks/new/",
        {
            "volunteer": volunteer.pk,
            "kind": "police",
            "verified_on": "2026-05-01",
            "expires_on": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert not SafeguardingCheck.objects.exists()


def test_pending_clearance_is_visible_to_coordinators(guarded_shift, admin_client):
    signups.sign_up_with_account(account_for(add_volunteer(name="Meena")), guarded_shift)
    roster = admin_client.get(f"/admin/volunteers/shifts/{guarded_shift.pk}/roster/")
    assert "Pending clearance" in roster.content.decode()
    assert "Meena" in roster.content.decode()


def test_audit_log_names_checks_and_volunteers_by_number_only(admin_client):
    from wagtail.models import ModelLogEntry

    volunteer = add_volunteer(name="Anjali Kowalczyk", email="anjali@example.org")
    today = timezone.localdate()
    created = admin_client.post(
        "/admin/volunteers/checks/new/",
        {"volunteer": volunteer.pk, "kind": "police", "reference": "PC-9", "verified_on": today},
    )
    assert created.status_code == 302
    check = SafeguardingCheck.objects.get()
    edited = admin_client.post(
        f"/admin/volunteers/checks/edit/{check.pk}/",
        {"volunteer": volunteer.pk, "kind": "dbs", "reference": "PC-9", "verified_on": today},
    )
    assert edited.status_code == 302
    renamed = admin_client.post(
        f"/admin/volunteers/people/edit/{volunteer.pk}/",
        {"name": "Anjali K.", "phone": "", "notes": "", "link_version": 0, "feed_version": 0},
    )
    assert renamed.status_code == 302

    labels = list(ModelLogEntry.objects.values_list("label", flat=True))
    assert len(labels) >= 3
    assert not [label for label in labels if "Anjali" in label or "anjali" in label], labels
