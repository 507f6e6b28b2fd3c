"""Nobody writes another person's profile (issue 12, point 6).

Whoever types an address into the public sign-up form has shown nothing: the name and phone
they type wait on that sign-up until its emailed link is followed. Until then the profile,
the coordinators' screens and exports, and the account of the address's owner hold none of it.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from core.confirmation import purge_unconfirmed
from tests.factories import UserFactory, add_opportunity, add_shift, add_volunteer
from tests.volunteers.helpers import emails_to, form_data, link_in, path_of
from volunteers import privacy
from volunteers.models import SignUp, Volunteer
from website.account.attach import attach_records
from website.account.deletion import delete_account

pytestmark = pytest.mark.django_db

OWNER = "ruth@example.org"
STRANGER_NAME = "Mallory Stranger"
STRANGER_PHONE = "+447911123456"


@pytest.fixture
def shift(site_pages):
    home, _news = site_pages
    return add_shift(add_opportunity(home), capacity=3)


def sign_up_by_form(client, shift, email=OWNER, name=STRANGER_NAME, phone="+44 7911 123456"):
    response = client.post(
        f"/volunteer/shifts/{shift.pk}/sign-up/", form_data(email=email, name=name, phone=phone)
    )
    assert response.status_code == 302, response.content[:2000]
    return SignUp.objects.filter(volunteer__email=email, shift=shift).latest("pk")


def what_coordinators_see(admin_client, shift):
    """The volunteer list, the sign-up list, both exports and the shift's roster, as one text."""
    paths = [
        "/admin/volunteers/people/",
        "/admin/volunteers/people/?export=csv",
        "/admin/volunteers/signups/",
        "/admin/volunteers/signups/?export=csv",
        f"/admin/volunteers/shifts/{shift.pk}/roster/",
    ]
    bodies = []
    for path in paths:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        bodies.append(b"".join(response) if response.streaming else response.content)
    return b"\n".join(bodies).decode()


def assert_nothing_of_the_stranger(text):
    assert STRANGER_NAME not in text
    assert STRANGER_PHONE not in text and "7911 123456" not in text


def confirm_path(address=OWNER):
    return path_of(link_in(emails_to(address)[-1], "/volunteer/confirm/"))


def test_a_stranger_typing_a_new_address_leaves_the_profile_empty(client, admin_client, shift):
    signup = sign_up_by_form(client, shift)

    volunteer = Volunteer.objects.get(email=OWNER)
    assert (volunteer.name, volunteer.phone) == ("", "")
    assert volunteer.address_proven_at is None
    assert (signup.pending_name, signup.pending_phone) == (STRANGER_NAME, STRANGER_PHONE)
    seen = what_coordinators_see(admin_client, shift)
    assert_nothing_of_the_stranger(seen)
    assert "Address not confirmed yet" in seen, "the waiting sign-up is listed as unconfirmed"


def test_the_owner_signing_up_with_an_account_inherits_nothing_typed(client, admin_client, shift):
    sign_up_by_form(client, shift)
    owner = UserFactory(email=OWNER, first_name="Ruth", last_name="Mensah")
    browser = Client()
    browser.force_login(owner)

    response = browser.post(f"/volunteer/shifts/{shift.pk}/sign-up/", {"age_confirmed": "on"})

    assert response.status_code == 302, "the stranger's waiting sign-up does not block the owner"
    signup = SignUp.objects.get()
    assert signup.status == SignUp.Status.CONFIRMED
    assert (signup.pending_name, signup.pending_phone) == ("", "")
    volunteer = signup.volunteer
    assert (volunteer.user, volunteer.name, volunteer.phone) == (owner, "Ruth Mensah", "")
    assert volunteer.address_proven_at is not None
    seen = what_coordinators_see(admin_client, shift)
    assert_nothing_of_the_stranger(seen)
    assert "Ruth Mensah" in seen


def test_verifying_the_address_attaches_the_profile_without_the_typed_details(client, shift):
    sign_up_by_form(client, shift)
    owner = UserFactory(email=OWNER, first_name="Ruth")

    attach_records(owner)

    volunteer = Volunteer.objects.get(email=OWNER)
    assert (volunteer.user, volunteer.name, volunteer.phone) == (owner, "Ruth", "")
    waiting = SignUp.objects.get()
    assert waiting.status == SignUp.Status.PENDING_EMAIL
    assert waiting.pending_name == STRANGER_NAME, "still only a sign-up waiting for its link"
    (profile, item) = privacy.sections([OWNER], None)[0].items
    assert ("Name", "Ruth") in profile.details and ("Phone", "None") in profile.details
    assert ("Details given, not confirmed yet", f"{STRANGER_NAME}, {STRANGER_PHONE}") in (
        item.details
    )


def test_following_the_emailed_link_makes_the_typed_details_the_profiles(client, shift):
    signup = sign_up_by_form(client, shift, name="Priya D'Souza", phone="+91 98765 43210")
    (message,) = mail.outbox
    assert "Dear Priya D'Souza" in message.body

    page = client.get(confirm_path()).content.decode()
    assert "Priya D&#x27;Souza" in page and "+919876543210" in page, "shown before the button"
    assert Volunteer.objects.get().name == "", "a GET (link scanner) proves nothing"

    response = client.post(confirm_path())

    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert (volunteer.name, volunteer.phone) == ("Priya D'Souza", "+919876543210")
    assert volunteer.address_proven_at is not None
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED
    assert (signup.pending_name, signup.pending_phone) == ("", "")


def test_the_newest_proven_details_replace_older_ones_only_once_proven(client, admin_client, shift):
    add_volunteer(email=OWNER, name="Ruth Mensah", phone="+919876543210")

    sign_up_by_form(client, shift, name="Ruth M.", phone="+44 7911 123456")

    volunteer = Volunteer.objects.get()
    assert (volunteer.name, volunteer.phone) == ("Ruth Mensah", "+919876543210")
    seen = what_coordinators_see(admin_client, shift)
    assert "+919876543210" in seen and "Ruth M." not in seen
    assert_nothing_of_the_stranger(seen)

    client.post(confirm_path())

    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.phone) == ("Ruth M.", STRANGER_PHONE)


def test_a_waiting_sign_up_keeps_the_latest_details_typed(client, shift):
    sign_up_by_form(client, shift)
    signup = sign_up_by_form(client, shift, name="Ruth Mensah", phone="+91 98765 43210")

    assert SignUp.objects.count() == 1
    assert (signup.pending_name, signup.pending_phone) == ("Ruth Mensah", "+919876543210")
    client.post(confirm_path())
    assert Volunteer.objects.get().phone == "+919876543210"


def test_the_data_download_marks_typed_details_as_unconfirmed(client, shift):
    sign_up_by_form(client, shift)

    (record,) = privacy.export([OWNER])["volunteering"]

    assert (record["name"], record["phone"], record["address_proven_at"]) == ("", "", None)
    (signup,) = record["signups"]
    assert signup["details_given_waiting_for_the_emailed_link"] == {
        "name": STRANGER_NAME,
        "phone": STRANGER_PHONE,
    }


def test_deleting_the_account_erases_typed_details_too(client, shift, site_pages):
    owner = UserFactory(email=OWNER)
    add_volunteer(email=OWNER, name="Ruth Mensah", user=owner)
    past = add_shift(shift.opportunity, starts_at=timezone.now() - datetime.timedelta(days=2))
    SignUp.objects.create(
        shift=past,
        volunteer=Volunteer.objects.get(),
        status=SignUp.Status.PENDING_EMAIL,
        pending_name=STRANGER_NAME,
        pending_phone=STRANGER_PHONE,
    )
    sign_up_by_form(client, shift)

    delete_account(owner)

    assert not SignUp.objects.exclude(pending_name="", pending_phone="").exists()
    assert SignUp.objects.get(shift=shift).status == SignUp.Status.CANCELLED


def test_unconfirmed_details_go_with_their_sign_up_after_the_retention_period(client, shift):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=8), tick=False):
        sign_up_by_form(client, shift)

    assert purge_unconfirmed() == 1

    assert not SignUp.objects.exists() and not Volunteer.objects.exists()


def test_a_placed_sign_up_cannot_hold_typed_details(client, shift):
    signup = sign_up_by_form(client, shift)

    with pytest.raises(IntegrityError), transaction.atomic():
        SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.CONFIRMED)


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_details_never_proven_back_on_their_waiting_sign_ups(shift):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("volunteers", "0003_volunteer_anonymisation_and_retention")]
    after = [("volunteers", "0004_typed_details_wait_for_the_emailed_link")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    OldVolunteer = apps.get_model("volunteers", "Volunteer")
    OldSignUp = apps.get_model("volunteers", "SignUp")
    typed = OldVolunteer.objects.create(email=OWNER, name=STRANGER_NAME, phone=STRANGER_PHONE)
    OldSignUp.objects.create(volunteer=typed, shift_id=shift.pk, status="pending_email")
    proven = OldVolunteer.objects.create(email="asha@example.org", name="Asha", phone="+91")
    OldSignUp.objects.create(
        volunteer=proven, shift_id=shift.pk, status="confirmed", email_confirmed_at=timezone.now()
    )
    added_by_a_coordinator = OldVolunteer.objects.create(email="leela@example.org", name="Leela")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # The models below are today's: the later migrations (and the rest of the run) need them.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    volunteers = {volunteer.email: volunteer for volunteer in Volunteer.objects.all()}
    assert (volunteers[OWNER].name, volunteers[OWNER].phone) == ("", "")
    assert volunteers[OWNER].address_proven_at is None
    waiting = SignUp.objects.get(volunteer__email=OWNER)
    assert (waiting.pending_name, waiting.pending_phone) == (STRANGER_NAME, STRANGER_PHONE)
    assert volunteers["asha@example.org"].name == "Asha"
    assert volunteers["asha@example.org"].address_proven_at is not None
    assert volunteers["leela@example.org"].name == "Leela"
    assert added_by_a_coordinator.pk == volunteers["leela@example.org"].pk
