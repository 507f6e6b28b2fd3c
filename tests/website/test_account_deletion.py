"""Deleting an account: the person is erased everywhere, the statistics stay, future places
go to others, the action is logged without the address, and a confirmation is emailed."""

import logging

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_q.models import Task
from wagtail.models import ModelLogEntry

from campaigns.models import ChurchRegistration, RegistrationContact
from campaigns.registration import add_contact
from core.models import Suppression
from core.privacy import erase_everywhere
from core.tasks import enqueue
from digests.models import Subscription
from prayer.models import PrayerRequest
from tests.factories import PASSWORD, UserFactory, add_volunteer, supporter_records
from tests.signin import sign_in_with_totp, with_totp
from vigils.models import CalendarSubscription, VigilSignup
from volunteers.models import Shift, SignUp, Volunteer
from website.account.deletion import delete_account as delete_account_of

pytestmark = pytest.mark.django_db

EMAIL = "ruth@example.org"
User = get_user_model()


@pytest.fixture
def home(site_pages):
    return site_pages[0]


def sign_in(client, email=EMAIL):
    client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def reauthenticate(client):
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def delete_account(client, typed=EMAIL):
    reauthenticate(client)
    response = client.post("/account/delete/", {"email": typed})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/account/deleted/"
    return response


def database_text():
    """(table, value) for every value of every table, as a dump of the database shows it."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from the catalogue
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "ignore")
                    found.append((table, str(value).lower()))
    return found


def tables_containing(text):
    return sorted({table for table, value in database_text() if text.lower() in value})


def test_the_confirmation_page_asks_for_the_password_then_the_address(client, db):
    UserFactory(email=EMAIL)
    sign_in(client)

    response = client.get("/account/delete/")
    assert response["Location"].startswith("/accounts/reauthenticate/")

    reauthenticate(client)
    html = client.get("/account/delete/").content.decode()
    assert "<h1>Delete your account</h1>" in html
    assert '<label for="id_email">Type your email address to confirm</label>' in html
    assert "Your account’s address is ruth@example.org." in html
    assert "Delete my account and my data" in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type your email address to confirm"),
        ("someone@example.org", "That is not your account’s address."),
        ("x" * 5000, "That is longer than any email address."),
        ("<script>alert(1)</script>", "That is not your account’s address."),
        ("ruth@example.org' OR 1=1 --", "That is not your account’s address."),
    ],
)
def test_a_wrong_confirmation_keeps_the_account_and_says_why(client, home, typed, message):
    supporter_records(home, EMAIL)
    UserFactory(email=EMAIL)
    sign_in(client)
    reauthenticate(client)

    response = client.post("/account/delete/", {"email": typed})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert User.objects.filter(email=EMAIL).exists()
    assert Subscription.objects.filter(email=EMAIL).exists()
    assert "_auth_user_id" in client.session


def test_the_address_is_matched_whatever_its_case(client, db):
    UserFactory(email=EMAIL)
    sign_in(client)
    delete_account(client, typed="  Ruth@Example.ORG ")
    assert not User.objects.exists()


def test_deleting_erases_the_person_and_keeps_the_statistics(client, home):
    records = supporter_records(home, EMAIL)
    user = UserFactory(email=EMAIL)
    sign_in_with_totp(client, user, with_totp(user))
    past_slot, future_slot = records["past_slot"], records["future_slot"]

    response = delete_account(client)

    # The account and everything that signs in with it.
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists() and not Authenticator.objects.exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Your account is deleted" in page.content.decode()
    assert client.get("/account/").status_code == 302

    # Prayer: subscription gone, calendar ended, future slot given back, request anonymous.
    assert not Subscription.objects.exists()
    calendar = CalendarSubscription.objects.get()
    assert calendar.status == CalendarSubscription.Status.UNSUBSCRIBED
    assert calendar.email.endswith("@erased.invalid")
    signup = VigilSignup.objects.get()
    assert signup.email.endswith("@erased.invalid") and signup.display_name == ""
    assert list(signup.bookings.values_list("slot_id", flat=True)) == [past_slot.pk]
    past_slot.refresh_from_db()
    future_slot.refresh_from_db()
    assert (past_slot.taken, future_slot.taken) == (1, 0)
    prayer_request = PrayerRequest.objects.get()
    assert prayer_request.public_text == "Strength and healing for my sister."
    assert (prayer_request.submitter_name, prayer_request.submitter_email) == ("", "")

    # Volunteering: the profile is anonymised, hours and past counts stay, the future spot goes.
    volunteer = Volunteer.objects.get()
    assert volunteer.anonymised_at is not None
    assert volunteer.email != EMAIL and volunteer.name != "Ruth Mensah" and volunteer.phone == ""
    assert volunteer.hours_served == 3
    assert not volunteer.checks.exists()
    past = SignUp.objects.get(shift=records["past_shift"])
    assert (past.status, past.attendance) == (SignUp.Status.CONFIRMED, SignUp.Attendance.ATTENDED)
    records["past_shift"].refresh_from_db()
    records["future_shift"].refresh_from_db()
    assert records["past_shift"].confirmed_count == 1
    assert records["future_shift"].confirmed_count == 0
    assert SignUp.objects.get(shift=records["future_shift"]).status == SignUp.Status.CANCELLED

    # Churches: the only contact goes, the church and its numbers stay.
    registration = ChurchRegistration.objects.get()
    assert not registration.contacts.exists()
    assert registration.church_name == records["registration"].church_name
    assert (registration.city, registration.country.code) == ("Manchester", "GB")
    assert registration.expected_attendance == 120
    assert registration.link_version == records["registration"].link_version + 1
    assert registration.denomination == "" and registration.reduced_at is not None


def test_a_church_with_other_contacts_keeps_them(client, home):
    records = supporter_records(home, EMAIL)
    fellow = add_contact(
        records["registration"],
        {"contact_name": "Fellow Contact", "email": "fellow@example.org", "role": "Treasurer"},
    )
    UserFactory(email=EMAIL)
    sign_in(client)

    delete_account(client)

    registration = ChurchRegistration.objects.get()
    assert list(registration.contacts.all()) == [fellow]
    assert registration.denomination == "Baptist" and registration.reduced_at is None
    assert RegistrationContact.objects.get().email == "fellow@example.org"


def test_a_freed_spot_goes_to_the_waitlist(client, home):
    records = supporter_records(home, EMAIL)
    shift = records["future_shift"]
    waiting = add_volunteer(email="next@example.org", name="Next In Line")
    queued = SignUp.objects.create(
        shift=shift,
        volunteer=waiting,
        status=SignUp.Status.WAITLISTED,
        waitlisted_at=shift.created_at,
    )
    UserFactory(email=EMAIL)
    sign_in(client)
    mail.outbox.clear()

    delete_account(client)

    queued.refresh_from_db()
    shift.refresh_from_db()
    assert queued.status == SignUp.Status.CONFIRMED
    assert shift.confirmed_count == 1
    recipients = [message.to for message in mail.outbox]
    assert ["next@example.org"] in recipients
    assert recipients.count([EMAIL]) == 1, "only the deletion confirmation goes to the person"


def test_a_confirmation_email_is_sent_as_text_and_html(client, db):
    UserFactory(email=EMAIL)
    sign_in(client)
    mail.outbox.clear()

    delete_account(client)

    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Your account is deleted"
    assert "we have deleted your account and erased your personal data" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "<h1>Your account is deleted</h1>" in html
    assert "List-Unsubscribe" not in message.extra_headers


def test_the_deletion_is_logged_without_the_address(client, home, caplog):
    caplog.set_level(logging.INFO)
    supporter_records(home, EMAIL)
    user = UserFactory(email=EMAIL)
    user_id = user.pk
    sign_in(client)

    delete_account(client)

    entry = ModelLogEntry.objects.get(label=f"Account #{user_id} deleted")
    assert entry.action == "wagtail.delete" and entry.deleted
    counts = entry.data["counts"]
    assert counts["prayer_subscriptions_deleted"] == 1
    assert counts["volunteer_profiles_anonymised"] == 1
    assert counts["volunteer_signups_cancelled"] == 1
    assert counts["church_contacts_removed"] == 1
    for log_entry in ModelLogEntry.objects.all():
        assert EMAIL not in f"{log_entry.label} {log_entry.data}"
    assert f"Account {user_id} deleted" in caplog.text
    assert EMAIL not in caplog.text and "Ruth" not in caplog.text


def test_the_address_is_gone_from_every_table(client, home, django_capture_on_commit_callbacks):
    records = supporter_records(home, EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("core.tasks.send_templated_email", "test-email", EMAIL, {}, task_name="earlier")
    assert Task.objects.filter(name="earlier").exists()
    user = UserFactory(email=EMAIL, first_name="Ruth", last_name="Mensah")
    EmailAddress.objects.create(user=user, email="ruth.work@example.org", verified=True)
    supporter_records(home, "ruth.work@example.org")
    Suppression.objects.create(email=EMAIL, soft_bounce_count=1, active=False)
    ModelLogEntry.objects.log_action(records["subscription"], "wagtail.edit", title=EMAIL)
    sign_in(client)
    assert tables_containing(EMAIL)

    delete_account(client)

    for secret in (EMAIL, "ruth.work@example.org", "Ruth Mensah", "7700900123", "2079460958"):
        assert tables_containing(secret) == [], secret
    # The task history stores arguments pickled: read them too.
    for task in Task.objects.all():
        assert EMAIL not in repr((task.args, task.kwargs)), task.name


def test_an_active_suppression_outlives_the_account(client, db):
    """A bounce or a complaint must keep stopping mail to the address."""
    UserFactory(email=EMAIL)
    Suppression.objects.create(email=EMAIL, reason="complaint", active=True)
    sign_in(client)

    delete_account(client)

    assert Suppression.objects.get().active


def test_records_of_an_unverified_address_are_left_alone(client, home):
    records = supporter_records(home, "victim@example.org")
    user = UserFactory(email=EMAIL)
    EmailAddress.objects.create(user=user, email="victim@example.org", verified=False)
    sign_in(client)

    delete_account(client)

    assert Subscription.objects.get().email == "victim@example.org"
    assert Volunteer.objects.get().name == "Ruth Mensah"
    assert RegistrationContact.objects.get().pk == records["contact"].pk
    assert VigilSignup.objects.get().bookings.count() == 2
    assert [message.to for message in mail.outbox][-1] == [EMAIL]


def test_every_session_of_the_account_ends(client, db):
    UserFactory(email=EMAIL)
    elsewhere = Client()
    sign_in(elsewhere)
    sign_in(client)

    delete_account(client)

    assert elsewhere.get("/account/").status_code == 302
    assert "_auth_user_id" not in elsewhere.session


def test_staff_accounts_are_closed_by_an_administrator(client, db):
    UserFactory(email=EMAIL, is_staff=True)
    sign_in(client)
    reauthenticate(client)

    assert (
        "Staff accounts are closed by an administrator."
        in client.get("/account/delete/").content.decode()
    )
    response = client.post("/account/delete/", {"email": EMAIL})

    assert response.status_code == 403
    assert User.objects.filter(email=EMAIL).exists()


def test_deleting_again_after_a_failure_finishes_the_work(home):
    """Each step can run again: erased records are not found twice, the rest is done."""
    supporter_records(home, EMAIL)
    user = UserFactory(email=EMAIL)
    first = erase_everywhere([EMAIL], timezone.now())  # as if the account step then failed

    counts = delete_account_of(user)

    assert first["volunteer_profiles_anonymised"] == 1
    assert counts["volunteer_profiles_anonymised"] == 0
    assert counts["prayer_subscriptions_deleted"] == 0
    assert not User.objects.exists()
    assert Shift.objects.filter(confirmed_count=1).count() == 1
