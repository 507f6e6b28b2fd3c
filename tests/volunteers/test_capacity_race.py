"""No overbooking: concurrent sign-ups for the last spot give exactly one confirmation.

Real threads, each with its own PostgreSQL connection (select_for_update does nothing on
SQLite, where IMMEDIATE transactions serialise writers anyway).
"""

import threading

import pytest
from django.db import connection, connections

from core.models import OutboundEmail
from tests.factories import UserFactory, add_opportunity, add_shift, build_site
from volunteers import signups
from volunteers.models import Shift, SignUp

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL row locks")


def run_together(target, arguments):
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def worker(argument):
        try:
            barrier.wait()
            outcomes.append(target(argument))
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_signups_for_the_last_spot(postgres_only):
    home, _news = build_site()
    shift = add_shift(add_opportunity(home), capacity=3)
    users = [UserFactory() for _ in range(THREADS + 2)]
    for user in users[:2]:
        signups.sign_up_with_account(user, shift, age_confirmed=True)

    outcomes = run_together(
        lambda user: (
            signups.sign_up_with_account(
                user,
                Shift.objects.select_related("opportunity").get(pk=shift.pk),
                age_confirmed=True,
            ).status
        ),
        users[2:],
    )

    assert sorted(outcomes) == ["confirmed"] + ["waitlisted"] * (THREADS - 1)
    shift.refresh_from_db()
    assert shift.confirmed_count == 3
    assert SignUp.objects.filter(shift=shift, status="confirmed").count() == 3
    waiting = SignUp.objects.filter(shift=shift, status="waitlisted").order_by("pk")
    positions = [s.waitlist_position() for s in waiting]
    assert positions == list(range(1, THREADS)), "in the order they were placed (ids)"
    told = {
        int(about): context["position"]
        for about, context in OutboundEmail.objects.filter(
            kind="volunteers:waitlisted"
        ).values_list("about", "context")
    }
    assert [told[s.pk] for s in waiting] == positions, "each was told the place it holds"


def test_concurrent_cancel_and_signup_never_overbook(postgres_only):
    home, _news = build_site()
    shift = add_shift(add_opportunity(home), capacity=1)
    holder = signups.sign_up_with_account(UserFactory(), shift, age_confirmed=True)
    waiting = [UserFactory() for _ in range(6)]

    def act(item):
        if item == "cancel":
            return signups.cancel(holder.pk).status
        fresh = Shift.objects.select_related("opportunity").get(pk=shift.pk)
        return signups.sign_up_with_account(item, fresh, age_confirmed=True).status

    outcomes = run_together(act, ["cancel", *waiting])
    assert not [o for o in outcomes if isinstance(o, Exception)]
    shift.refresh_from_db()
    assert shift.confirmed_count == 1
    assert SignUp.objects.filter(shift=shift, status="confirmed").count() == 1


def test_double_click_holds_one_signup(postgres_only):
    home, _news = build_site()
    shift = add_shift(add_opportunity(home), capacity=5)
    user = UserFactory()
    outcomes = run_together(
        lambda _n: (
            signups.sign_up_with_account(
                user,
                Shift.objects.select_related("opportunity").get(pk=shift.pk),
                age_confirmed=True,
            ).status
        ),
        range(4),
    )
    assert outcomes.count("confirmed") == 1
    assert all(isinstance(o, signups.SignUpRefused) for o in outcomes if o != "confirmed")
    assert SignUp.objects.filter(shift=shift).count() == 1


def test_concurrent_http_signups_for_the_last_spot(postgres_only):
    """The same race through the view: each thread posts the one-click form as its own user."""
    from django.test import Client

    home, _news = build_site()
    shift = add_shift(add_opportunity(home), capacity=1)
    clients = []
    for _ in range(8):
        client = Client()
        client.force_login(UserFactory())
        clients.append(client)

    outcomes = run_together(
        lambda client: (
            client.post(
                f"/volunteer/shifts/{shift.pk}/sign-up/", {"age_confirmed": "on"}
            ).status_code
        ),
        clients,
    )
    assert outcomes == [302] * 8
    assert SignUp.objects.filter(shift=shift, status="confirmed").count() == 1
    assert SignUp.objects.filter(shift=shift, status="waitlisted").count() == 7
