"""What the vigils app holds about an address (vigil sign-ups and prayer calendar
subscriptions), for My Vigil, the data download and erasure (the four functions
`core.privacy` asks every app for).

Vigil sign-ups can be linked to an account; calendar subscriptions are found by address.
Erasing keeps what the ministry counts: a vigil's slots already prayed stay taken (by
"someone") and a calendar's past deliveries stay counted; only the person is removed.
"""

from django.db import transaction
from django.db.models import F, Prefetch

from core.mailing import absolute
from core.privacy import Item, Link, Section, erased_address_sql
from core.time_zones import zone_or_utc
from vigils import calendar_emails, emails
from vigils.models import CalendarDelivery, CalendarSubscription, SlotBooking, VigilSignup
from vigils.slots import cancel_bookings, slot_label


def calendar_subscriptions_of(addresses):
    return (
        CalendarSubscription.objects.filter(email__in=addresses)
        .select_related("calendar")
        .order_by("-created_at", "pk")
    )


def vigil_signups_of(addresses):
    bookings = SlotBooking.objects.select_related("slot").order_by("slot__starts_at")
    return (
        VigilSignup.objects.filter(email__in=addresses)
        .select_related("vigil")
        .prefetch_related(Prefetch("bookings", queryset=bookings))
        .order_by("-created_at", "pk")
    )


def calendar_item(subscription, request):
    calendar = subscription.calendar
    item = Item(
        title=calendar.title,
        status=subscription.get_status_display(),
        details=[
            ("Daily email", f"{subscription.hour:02d}:00 ({subscription.time_zone})"),
            ("To", subscription.email),
        ],
    )
    if subscription.status == CalendarSubscription.Status.PENDING:
        item.links.append(
            Link("Confirm the daily email", calendar_emails.confirm_url(subscription))
        )
    elif subscription.status == CalendarSubscription.Status.ACTIVE:
        item.links.append(
            Link(
                "Stop the daily email",
                calendar_emails.unsubscribe_url(subscription.pk, subscription.link_version),
            )
        )
    if calendar.live:
        item.links.append(Link("Open the prayer calendar", calendar.get_url(request)))
    return item


def vigil_item(signup, request):
    zone = zone_or_utc(signup.time_zone)
    slots = [slot_label(booking.slot, zone) for booking in signup.bookings.all()]
    item = Item(
        title=signup.vigil.title,
        status=signup.get_status_display(),
        details=[
            ("Your slots", "; ".join(slots) if slots else "None"),
            ("Shown as", signup.public_name),
        ],
    )
    if signup.status == VigilSignup.Status.PENDING:
        item.links.append(Link("Confirm your slots", absolute(emails.confirm_path(signup))))
    else:
        item.links.append(
            Link(
                "See or cancel your slots",
                emails.manage_url(signup.pk, signup.link_version),
            )
        )
        if signup.wants_organiser_email:
            item.links.append(
                Link(
                    "Stop the organisers’ messages",
                    emails.unsubscribe_url(signup.pk, signup.link_version),
                )
            )
    if signup.vigil.live:
        item.links.append(Link("Open the vigil", signup.vigil.get_url(request)))
    return item


def calendar_record(subscription):
    return {
        "calendar": subscription.calendar.title,
        "email": subscription.email,
        "status": subscription.get_status_display(),
        "hour": f"{subscription.hour:02d}:00",
        "time_zone": subscription.time_zone,
        "consent": {"given_at": subscription.consent_at, "on_page": subscription.consent_source},
        "created_at": subscription.created_at,
        "confirmed_at": subscription.confirmed_at,
        "unsubscribed_at": subscription.unsubscribed_at,
        "days_sent": [delivery.date for delivery in subscription.deliveries.all()],
    }


def vigil_record(signup):
    return {
        "vigil": signup.vigil.title,
        "email": signup.email,
        "shown_as": signup.display_name,
        "status": signup.get_status_display(),
        "time_zone": signup.time_zone,
        "slots": [
            {"starts_at": booking.slot.starts_at, "ends_at": booking.slot.ends_at}
            for booking in signup.bookings.all()
        ],
        "waiting_for_confirmation": signup.pending_request,
        "receives_organisers_messages": signup.wants_organiser_email,
        "created_at": signup.created_at,
        "confirmed_at": signup.confirmed_at,
    }


def attach(user, addresses):
    return {
        "vigil_signups": VigilSignup.objects.filter(email__in=addresses, user__isnull=True).update(
            user=user
        ),
    }


def sections(addresses, request):
    calendars = list(calendar_subscriptions_of(addresses))
    vigils = list(vigil_signups_of(addresses))
    return [
        Section(
            key="prayer-calendars",
            heading="Prayer calendars",
            items=[calendar_item(subscription, request) for subscription in calendars],
            empty="You do not receive a prayer calendar by email.",
        ),
        Section(
            key="prayer-vigils",
            heading="Prayer vigils",
            items=[vigil_item(signup, request) for signup in vigils],
            empty="You have not signed up for a prayer vigil.",
        ),
    ]


def export(addresses):
    days = CalendarDelivery.objects.filter(status=CalendarDelivery.Status.SENT).order_by("date")
    calendars = calendar_subscriptions_of(addresses).prefetch_related(
        Prefetch("deliveries", queryset=days)
    )
    return {
        "prayer_calendars": [calendar_record(subscription) for subscription in calendars],
        "prayer_vigils": [vigil_record(signup) for signup in vigil_signups_of(addresses)],
    }


def erase(addresses, now):
    """End the calendar emails, give back future vigil places, anonymise the rest."""
    released = 0
    for signup in VigilSignup.objects.filter(email__in=addresses):
        future = signup.bookings.filter(slot__starts_at__gt=now).values_list("slot_id", flat=True)
        released += len(cancel_bookings(signup, list(future), now))
    with transaction.atomic():
        calendars = CalendarSubscription.objects.filter(email__in=addresses)
        calendars.filter(status=CalendarSubscription.Status.ACTIVE).update(unsubscribed_at=now)
        ended = calendars.update(
            email=erased_address_sql("calendar"),
            status=CalendarSubscription.Status.UNSUBSCRIBED,
            link_version=F("link_version") + 1,
        )
        # A sign-up holding no slot that has been prayed is no statistic: it goes.
        empty = VigilSignup.objects.filter(email__in=addresses, bookings__isnull=True)
        dropped = empty.delete()[1]
        anonymised = VigilSignup.objects.filter(email__in=addresses).update(
            email=erased_address_sql("vigil"),
            display_name="",
            user=None,
            pending_request=None,
            wants_organiser_email=False,
            link_version=F("link_version") + 1,
        )
    return {
        "calendar_subscriptions_ended": ended,
        "vigil_places_given_back": released,
        "vigil_signups_deleted": dropped.get("vigils.VigilSignup", 0),
        "vigil_signups_anonymised": anonymised,
    }
