"""The coordinator's back office: shifts with fill rate and waitlist, roster, attendance,
hours, exports, messages, shift changes, and deletion refused while people are signed up."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory, add_opportunity, add_shift, add_volunteer
from volunteers import signups
from volunteers.models import Shift, ShiftMessage, SignUp, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(email="coordinator@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Volunteer coordinators"))
    client.force_login(user)
    return client


@pytest.fixture
def opportunity(site_pages):
    home, _news = site_pages
    return add_opportunity(home)


def fill(shift, count):
    made = []
    for n in range(count):
        volunteer = add_volunteer(name=f"Volunteer {n}", email=f"v{n}-{shift.pk}@example.org")
        user = UserFactory(email=volunteer.email)
        Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
        made.append(signups.sign_up_with_account(user, shift))
    return made


def test_shift_list_shows_fill_rate_and_waitlist(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=2)
    fill(shift, 3)
    page = coordinator.get("/admin/volunteers/shifts/").content.decode()
    assert "2/2 (100%)" in page
    assert "Roster" in page


def test_shift_list_queries_do_not_grow_with_rows(
    coordinator, opportunity, django_assert_max_num_queries
):
    for _ in range(3):
        add_shift(opportunity)
    with django_assert_max_num_queries(40) as few:
        coordinator.get("/admin/volunteers/shifts/")
    for _ in range(27):
        add_shift(opportunity)
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator.get("/admin/volunteers/shifts/")


def test_create_shift_in_local_time(coordinator, opportunity):
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = coordinator.post(
        "/admin/volunteers/shifts/new/",
        {
            "opportunity": opportunity.pk,
            "start": f"{day} 09:00",
            "end": f"{day} 12:30",
            "time_zone": "Asia/Kolkata",
            "capacity": "4",
            "deadline": "",
            "notes": "Bring a water bottle.",
            "status": "scheduled",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    shift = Shift.objects.get()
    assert shift.local_starts_at.hour == 9 and shift.time_zone == "Asia/Kolkata"
    assert shift.starts_at.astimezone(datetime.UTC).hour == 3  # 09:00 IST is 03:30 UTC
    assert shift.duration_hours == 3.5


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        ("2020-01-01 09:00", "2020-01-01 10:00", "Choose a time in the future."),
        ("{day} 12:00", "{day} 09:00", "The shift must end after it starts."),
        ("", "", "This field is required."),
    ],
)
def test_bad_shift_times_are_refused(coordinator, opportunity, start, end, error):
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = coordinator.post(
        "/admin/volunteers/shifts/new/",
        {
            "opportunity": opportunity.pk,
            "start": start.format(day=day),
            "end": end.format(day=day),
            "time_zone": "Asia/Kolkata",
            "capacity": "4",
            "status": "scheduled",
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Shift.objects.exists()


def edit_data(shift, **changes):
    zone = zoneinfo.ZoneInfo(shift.time_zone)
    data = {
        "opportunity": shift.opportunity_id,
        "start": shift.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "end": shift.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "time_zone": shift.time_zone,
        "capacity": shift.capacity,
        "notes": shift.notes,
        "status": shift.status,
    }
    data.update(changes)
    return data


def test_raising_capacity_promotes_the_waitlist(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=1)
    first, second = fill(shift, 2)
    mail.outbox.clear()
    response = coordinator.post(
        f"/admin/volunteers/shifts/edit/{shift.pk}/", edit_data(shift, capacity=2)
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == SignUp.Status.CONFIRMED
    assert mail.outbox[-1].subject.startswith("A spot opened")


def test_capacity_cannot_drop_below_confirmed(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=3)
    fill(shift, 2)
    response = coordinator.post(
        f"/admin/volunteers/shifts/edit/{shift.pk}/", edit_data(shift, capacity=1)
    )
    assert response.status_code == 200
    assert "2 volunteers are confirmed" in response.content.decode()


def test_cancelling_a_shift_tells_everyone(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=1)
    fill(shift, 2)
    mail.outbox.clear()
    coordinator.post(
        f"/admin/volunteers/shifts/edit/{shift.pk}/", edit_data(shift, status="cancelled")
    )
    assert SignUp.objects.active().count() == 0
    shift.refresh_from_db()
    assert shift.confirmed_count == 0
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Cancelled by the coordinator") for m in mail.outbox)
    assert "METHOD:CANCEL" in mail.outbox[0].attachments[0][1]


def test_a_shift_with_signups_cannot_be_deleted(coordinator, opportunity):
    shift = add_shift(opportunity)
    fill(shift, 1)
    response = coordinator.post(f"/admin/volunteers/shifts/delete/{shift.pk}/", follow=True)
    assert Shift.objects.filter(pk=shift.pk).exists()
    assert "has sign-ups, so it cannot be deleted" in response.content.decode()
    empty = add_shift(opportunity)
    coordinator.post(f"/admin/volunteers/shifts/delete/{empty.pk}/")
    assert not Shift.objects.filter(pk=empty.pk).exists()


def test_roster_attendance_and_hours(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=3, hours=4)
    a, b, c = fill(shift, 3)
    roster = coordinator.get(f"/admin/volunteers/shifts/{shift.pk}/roster/")
    assert roster.status_code == 200
    assert "+919876543210" in roster.content.decode()
    response = coordinator.post(
        f"/admin/volunteers/shifts/{shift.pk}/roster/",
        {
            "action": "attendance",
            f"attendance-{a.pk}": "attended",
            f"hours-{a.pk}": "",
            f"attendance-{b.pk}": "attended",
            f"hours-{b.pk}": "2.5",
            f"attendance-{c.pk}": "no_show",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.attendance, b.attendance, c.attendance) == ("attended", "attended", "no_show")
    assert a.volunteer.hours_served == 4 and b.volunteer.hours_served == 2.5
    bad = coordinator.post(
        f"/admin/volunteers/shifts/{shift.pk}/roster/",
        {"action": "attendance", f"attendance-{a.pk}": "attended", f"hours-{a.pk}": "x" * 1000},
        follow=True,
    )
    assert "Hours must be a number from 0 to 168" in bad.content.decode()

    export = coordinator.get("/admin/volunteers/people/?export=csv")
    assert export.status_code == 200
    rows = b"".join(export.streaming_content).decode()
    assert "Hours served" in rows and "Volunteer 0" in rows


def test_roster_exports_as_csv_and_xlsx(coordinator, opportunity):
    shift = add_shift(opportunity, capacity=2)
    other = add_shift(opportunity, starts_at=shift.starts_at + datetime.timedelta(days=1))
    fill(shift, 2)
    volunteer = add_volunteer(name="=HYPERLINK(1)", email="formula@example.org")
    user = UserFactory(email=volunteer.email)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    signups.sign_up_with_account(user, other)
    csv = coordinator.get(f"/admin/volunteers/signups/?shift={shift.pk}&export=csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Volunteer 0" in text and "Volunteer 1" in text and "HYPERLINK" not in text
    everyone = b"".join(
        coordinator.get("/admin/volunteers/signups/?export=csv").streaming_content
    ).decode()
    assert "'=HYPERLINK(1)" in everyone
    xlsx = coordinator.get(f"/admin/volunteers/signups/?shift={shift.pk}&export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_message_everyone_on_a_shift(coordinator, opportunity, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    shift = add_shift(opportunity, capacity=2)
    fill(shift, 3)
    mail.outbox.clear()
    url = f"/admin/volunteers/shifts/{shift.pk}/message/"
    assert coordinator.get(url).status_code == 200
    assert coordinator.post(url, {"subject": "", "body": ""}).status_code == 400
    response = coordinator.post(
        url, {"subject": "Bring aprons", "body": "We bake bread <b>today</b>."}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert sorted(message.to) == sorted(
        s.volunteer.email for s in SignUp.objects.filter(status="confirmed")
    )
    assert set(message.merge_data) == set(message.to), "merge data: nobody sees the others"
    assert "%recipient.manage_url%" in message.body
    assert ShiftMessage.objects.get().recipient_count == 2
    from volunteers.tasks import send_shift_message

    assert send_shift_message(ShiftMessage.objects.get().pk) == 0, "never sent twice"


def test_message_without_merge_support_goes_one_by_one(coordinator, opportunity, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    shift = add_shift(opportunity, capacity=2)
    fill(shift, 2)
    mail.outbox.clear()
    coordinator.post(
        f"/admin/volunteers/shifts/{shift.pk}/message/", {"subject": "Hello", "body": "Hi"}
    )
    assert len(mail.outbox) == 2 and all(len(m.to) == 1 for m in mail.outbox)
    assert all("/volunteer/my/" in m.body for m in mail.outbox)


def test_outsiders_cannot_see_rosters(client, opportunity):
    shift = add_shift(opportunity)
    client.force_login(UserFactory(is_staff=True))
    response = client.get(f"/admin/volunteers/shifts/{shift.pk}/roster/")
    assert response.status_code in (302, 403)


def test_daily_summary_once(opportunity):
    from volunteers.tasks import send_coordinator_summary

    coordinator = UserFactory(email="lead@example.org")
    coordinator.groups.add(Group.objects.get(name="Volunteer coordinators"))
    shift = add_shift(opportunity)
    fill(shift, 2)
    mail.outbox.clear()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert send_coordinator_summary(tomorrow) == 2
    assert send_coordinator_summary(tomorrow) == 0
    (summary,) = mail.outbox
    assert summary.to == ["lead@example.org"] and "Volunteer 1" in summary.body


def test_an_opportunity_with_signups_cannot_be_deleted(admin_client, opportunity):
    fill(add_shift(opportunity), 1)
    response = admin_client.post(f"/admin/pages/{opportunity.pk}/delete/", follow=True)
    assert "has volunteer shifts with sign-ups" in response.content.decode()
    assert type(opportunity).objects.filter(pk=opportunity.pk).exists()


def test_signups_are_searchable_by_name(coordinator, opportunity):
    fill(add_shift(opportunity), 2)
    page = coordinator.get("/admin/volunteers/signups/?q=Volunteer+1").content.decode()
    assert "Volunteer 1" in page and "Volunteer 0" not in page


def test_volunteer_list_sums_hours_in_one_query_whatever_the_rows(
    coordinator, opportunity, django_assert_max_num_queries
):
    shift = add_shift(opportunity, hours=4 / 3)
    made = fill(shift, 3)
    SignUp.objects.filter(pk__in=[s.pk for s in made]).update(attendance="attended")
    SignUp.objects.filter(pk=made[0].pk).update(hours="2.50")
    page = coordinator.get("/admin/volunteers/people/").content.decode()
    assert "2.5" in page and "1.33" in page
    assert Volunteer.objects.with_hours().get(pk=made[0].volunteer_id).hours_served == 2.5
    with django_assert_max_num_queries(40) as few:
        coordinator.get("/admin/volunteers/people/")
    for signup in fill(add_shift(opportunity), 12):
        SignUp.objects.filter(pk=signup.pk).update(attendance="attended")
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator.get("/admin/volunteers/people/")
