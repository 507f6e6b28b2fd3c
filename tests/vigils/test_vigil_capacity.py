"""Capacity is enforced by the database: concurrent sign-ups for the last place give one."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from tests.factories import add_vigil, build_site
from vigils.models import SlotBooking, VigilSignup, VigilSlot
from vigils.slots import SlotsUnavailable, book_slots

UTC = datetime.UTC
NOW = datetime.datetime(2026, 2, 20, 12, tzinfo=UTC)


def signups(vigil, count):
    return [
        VigilSignup.objects.create(
            vigil=vigil, email=f"person{n}@example.org", status=VigilSignup.Status.CONFIRMED
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_the_check_constraint_refuses_more_than_capacity(site_pages):
    home, _ = site_pages
    vigil = add_vigil(home, capacity=1)
    slot = VigilSlot.objects.filter(vigil=vigil).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        VigilSlot.objects.filter(pk=slot.pk).update(taken=2)


@pytest.mark.django_db
def test_a_full_slot_is_refused_and_an_unlimited_one_never_is(site_pages):
    home, _ = site_pages
    limited = add_vigil(home, capacity=2)
    unlimited = add_vigil(home, title="Open vigil", capacity=None)
    slot = VigilSlot.objects.filter(vigil=limited).first()
    open_slot = VigilSlot.objects.filter(vigil=unlimited).first()
    people = signups(limited, 3)

    book_slots(people[0], [slot], now=NOW)
    book_slots(people[1], [slot], now=NOW)
    with pytest.raises(SlotsUnavailable) as problem:
        book_slots(people[2], [slot], now=NOW)
    assert problem.value.full == [slot]

    crowd = signups(unlimited, 25)
    for person in crowd:
        book_slots(person, [open_slot], now=NOW)
    open_slot.refresh_from_db()
    assert open_slot.taken == 25 and open_slot.capacity is None


def race(vigil_id, signup_ids, slot_ids):
    """Each signup tries to book ``slot_ids`` in its own thread and connection, all at once."""
    barrier = threading.Barrier(len(signup_ids))
    outcomes = []

    def attempt(signup_id):
        try:
            signup = VigilSignup.objects.get(pk=signup_id)
            slots = list(VigilSlot.objects.filter(pk__in=slot_ids))
            barrier.wait()
            book_slots(signup, slots, now=NOW)
            outcomes.append("booked")
        except SlotsUnavailable:
            outcomes.append("full")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(pk,)) for pk in signup_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_for_a_one_person_slot_give_exactly_one():
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update and row locks need PostgreSQL")
    home, _ = build_site()
    vigil = add_vigil(home, capacity=1)
    slot = VigilSlot.objects.filter(vigil=vigil).first()
    people = signups(vigil, 12)

    outcomes = race(vigil.pk, [person.pk for person in people], [slot.pk])

    assert sorted(outcomes) == ["booked"] + ["full"] * 11
    slot.refresh_from_db()
    assert slot.taken == 1
    assert SlotBooking.objects.filter(slot=slot).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_multi_slot_signups_never_half_book():
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update and row locks need PostgreSQL")
    home, _ = build_site()
    vigil = add_vigil(home, capacity=1)
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at")[:3])
    people = signups(vigil, 8)

    outcomes = race(vigil.pk, [person.pk for person in people], [slot.pk for slot in slots])

    assert sorted(outcomes) == ["booked"] + ["full"] * 7
    winners = set(SlotBooking.objects.filter(slot__in=slots).values_list("signup_id", flat=True))
    assert len(winners) == 1, "all three slots went to the same person"
    assert all(slot.taken == 1 for slot in VigilSlot.objects.filter(pk__in=[s.pk for s in slots]))
