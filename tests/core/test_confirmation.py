"""One "pending until the emailed link is followed" mechanism, purged by one daily schedule."""

import datetime

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from core.confirmation import CONFIRMABLE, purge_unconfirmed
from core.schedules import SCHEDULES, ensure_schedules

pytestmark = pytest.mark.django_db

OLD_PURGES = [
    "volunteer-purge-unconfirmed",
    "purge-unconfirmed-vigil-signups",
    "purge-unconfirmed-calendar-subscriptions",
    "purge-unconfirmed-subscriptions",
]


def test_every_feature_registers_its_pending_rows():
    assert sorted(CONFIRMABLE) == [
        "digests.Subscription",
        "vigils.CalendarSubscription",
        "vigils.VigilSignup",
        "volunteers.SignUp",
    ]


def test_one_daily_schedule_purges_every_kind():
    purges = [name for name, (func, _) in SCHEDULES.items() if "unconfirmed" in func]
    assert purges == ["purge-unconfirmed"]
    assert import_string(SCHEDULES["purge-unconfirmed"][0]) is purge_unconfirmed
    assert SCHEDULES["purge-unconfirmed"][1] == 24 * 60


def test_every_scheduled_function_exists():
    for func, _ in SCHEDULES.values():
        assert callable(import_string(func)), func


def test_an_install_loses_the_old_purge_schedules_and_keeps_the_rest():
    for name in OLD_PURGES:
        Schedule.objects.create(name=name, func=f"gone.{name}", schedule_type=Schedule.DAILY)
    ensure_schedules()
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(SCHEDULES)


def test_one_run_forgets_every_kind_kept_past_its_time(site_pages, time_machine):
    from digests.models import Subscription
    from tests.digests.subscription_helpers import make_subscription
    from tests.factories import add_opportunity, add_prayer_calendar, add_shift, add_vigil
    from vigils.models import CalendarSubscription, VigilSignup
    from volunteers.models import SignUp, Volunteer

    home, _news = site_pages
    calendar, vigil = add_prayer_calendar(home), add_vigil(home)
    shift = add_shift(add_opportunity(home))
    requested = timezone.now()
    time_machine.move_to(requested, tick=False)
    make_subscription("a@example.org", status=Subscription.Status.PENDING)
    CalendarSubscription.objects.create(calendar=calendar, email="b@example.org")
    VigilSignup.objects.create(vigil=vigil, email="c@example.org")
    unproven = Volunteer.objects.create(email="d@example.org")
    SignUp.objects.create(shift=shift, volunteer=unproven, status=SignUp.Status.PENDING_EMAIL)
    confirmed = make_subscription("e@example.org")

    time_machine.move_to(requested + datetime.timedelta(days=7, hours=1), tick=False)
    assert purge_unconfirmed() == 4
    assert list(Subscription.objects.all()) == [confirmed]
    assert not CalendarSubscription.objects.exists() and not VigilSignup.objects.exists()
    assert not SignUp.objects.exists() and not Volunteer.objects.exists()
    assert purge_unconfirmed() == 0
