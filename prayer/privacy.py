"""What the prayer app holds about an address, for My Vigil, the data download and erasure
(the four functions `core.privacy` asks every app for).

Prayer subscriptions and vigil sign-ups can be linked to an account; calendar subscriptions
and prayer requests are found by address. Erasing keeps what the ministry counts: a vigil's
slots already prayed stay taken (by "someone"), a calendar's past deliveries stay counted, and
a prayer request keeps its text and its prayers; only the person is removed.
"""

from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import reverse

from core.mailing import absolute
from core.privacy import Item, Link, Section, erased_address_sql, when
from prayer import links as subscription_links
from prayer.emails import calendars as calendar_emails
from prayer.emails import vigils as vigil_emails
from prayer.models import (
    CalendarDelivery,
    CalendarSubscription,
    DigestDelivery,
    PrayerRequest,
    SlotBooking,
    Subscription,
    VigilSignup,
)
from prayer.scheduling import zone_or_utc
from prayer.vigils import cancel_bookings, slot_label


def subscriptions_of(addresses):
    return Subscription.objects.filter(email__in=addresses).order_by("email")


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


def requests_of(addresses):
    return PrayerRequest.objects.filter(submitter_email__in=addresses).order_by("-created_at", "pk")


def attach(user, addresses):
    return {
        "prayer_subscriptions": Subscription.objects.filter(
            email__in=addresses, user__isnull=True
        ).update(user=user),
        "vigil_signups": VigilSignup.objects.filter(email__in=addresses, user__isnull=True).update(
            user=user
        ),
    }


# My Vigil


def frequency_text(subscription):
    if subscription.frequency == Subscription.Frequency.WEEKLY:
        return f"Weekly, on {subscription.get_weekday_display()}"
    return subscription.get_frequency_display()


def subscription_item(subscription):
    item = Item(
        title=f"Prayer updates to {subscription.email}", status=subscription.get_status_display()
    )
    pk, version = subscription.pk, subscription.link_version
    if subscription.status == Subscription.Status.PENDING:
        # Its choices wait for the link (they may not be this person's): none are shown.
        item.links.append(
            Link("Confirm these prayer updates", subscription_links.confirm_url(pk, version))
        )
        return item
    topics = [topic.name for topic in subscription.topics.all()]
    item.details = [
        ("How often", frequency_text(subscription)),
        ("Topics", ", ".join(topics) if topics else "All topics"),
        ("Time zone", subscription.time_zone),
    ]
    item.links.append(Link("Change preferences", subscription_links.preferences_url(pk, version)))
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        item.links.append(Link("Unsubscribe", subscription_links.unsubscribe_url(pk, version)))
    return item


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
        item.links.append(Link("Confirm your slots", absolute(vigil_emails.confirm_path(signup))))
    else:
        item.links.append(
            Link(
                "See or cancel your slots",
                vigil_emails.manage_url(signup.pk, signup.link_version),
            )
        )
        if signup.wants_organiser_email:
            item.links.append(
                Link(
                    "Stop the organisers’ messages",
                    vigil_emails.unsubscribe_url(signup.pk, signup.link_version),
                )
            )
    if signup.vigil.live:
        item.links.append(Link("Open the vigil", signup.vigil.get_url(request)))
    return item


def request_item(prayer_request):
    details = [("Sent on", when(prayer_request.created_at))]
    if prayer_request.prayed_count:
        details.append(("Prayed for", f"{prayer_request.prayed_count} times"))
    return Item(
        title=prayer_request.title, status=prayer_request.get_status_display(), details=details
    )


def sections(addresses, request):
    subscriptions = list(subscriptions_of(addresses).prefetch_related("topics"))
    calendars = list(calendar_subscriptions_of(addresses))
    vigils = list(vigil_signups_of(addresses))
    requests = list(requests_of(addresses))
    if subscriptions:
        update_links = [Link("All your prayer updates", reverse("prayer:my-subscriptions"))]
    else:
        update_links = [Link("Join the prayer network", reverse("prayer:subscribe"))]
    return [
        Section(
            key="prayer-updates",
            heading="Prayer updates",
            items=[subscription_item(subscription) for subscription in subscriptions],
            empty="You do not receive prayer updates by email.",
            links=update_links,
        ),
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
        Section(
            key="prayer-requests",
            heading="Your prayer requests",
            items=[request_item(prayer_request) for prayer_request in requests],
            empty="You have not sent us a prayer request.",
            links=[Link("Send a prayer request", reverse("prayer:submit_request"))],
        ),
    ]


# The data download


def subscription_record(subscription):
    return {
        "email": subscription.email,
        "name": subscription.name,
        "status": subscription.get_status_display(),
        "frequency": frequency_text(subscription),
        "topics": [topic.name for topic in subscription.topics.all()] or "All topics",
        "time_zone": subscription.time_zone,
        "asked_for_restricted_items": subscription.wants_restricted,
        "verified_for_restricted_items": subscription.restricted_verified,
        "changes_waiting_for_confirmation": subscription.pending_changes,
        "consent": {
            "given_at": subscription.consent_at,
            "on_page": subscription.consent_source,
            "from_ip_address": subscription.consent_ip,
        },
        "created_at": subscription.created_at,
        "confirmed_at": subscription.confirmed_at,
        "unsubscribed_at": subscription.unsubscribed_at,
        "last_digest_at": subscription.last_digest_at,
        "next_digest_at": subscription.next_digest_at,
        "digests_sent": [
            {"subject": delivery.issue.subject, "sent_at": delivery.sent_at}
            for delivery in subscription.deliveries.all()
        ],
    }


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


def request_record(prayer_request):
    return {
        "title": prayer_request.title,
        "text": prayer_request.public_text,
        "restricted_text": prayer_request.restricted_text,
        "topics": [topic.name for topic in prayer_request.topics.all()],
        "status": prayer_request.get_status_display(),
        "your_name": prayer_request.submitter_name,
        "your_email": prayer_request.submitter_email,
        "wants_reply": prayer_request.wants_reply,
        "consent_to_publish": prayer_request.consent_to_publish,
        "sent_at": prayer_request.created_at,
        "approved_at": prayer_request.approved_at,
        "answered_at": prayer_request.answered_at,
        "praise_report": prayer_request.praise_report,
        "prayed_count": prayer_request.prayed_count,
    }


def export(addresses):
    digests = (
        DigestDelivery.objects.filter(status=DigestDelivery.Status.SENT)
        .select_related("issue")
        .only("subscription_id", "sent_at", "issue__subject")
        .order_by("sent_at")
    )
    days = CalendarDelivery.objects.filter(status=CalendarDelivery.Status.SENT).order_by("date")
    subscriptions = subscriptions_of(addresses).prefetch_related(
        "topics", Prefetch("deliveries", queryset=digests)
    )
    calendars = calendar_subscriptions_of(addresses).prefetch_related(
        Prefetch("deliveries", queryset=days)
    )
    return {
        "prayer_updates": [subscription_record(subscription) for subscription in subscriptions],
        "prayer_calendars": [calendar_record(subscription) for subscription in calendars],
        "prayer_vigils": [vigil_record(signup) for signup in vigil_signups_of(addresses)],
        "prayer_requests": [
            request_record(prayer_request)
            for prayer_request in requests_of(addresses).prefetch_related("topics")
        ],
    }


# Erasure


def erase(addresses, now):
    """Delete the subscriptions, give back future vigil places, anonymise the rest."""
    released = 0
    for signup in VigilSignup.objects.filter(email__in=addresses):
        future = signup.bookings.filter(slot__starts_at__gt=now).values_list("slot_id", flat=True)
        released += len(cancel_bookings(signup, list(future), now))
    with transaction.atomic():
        deleted = Subscription.objects.filter(email__in=addresses).delete()[1]
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
        requests = PrayerRequest.objects.filter(submitter_email__in=addresses).update(
            submitter_name="", submitter_email="", wants_reply=False
        )
    return {
        "prayer_subscriptions_deleted": deleted.get("prayer.Subscription", 0),
        "calendar_subscriptions_ended": ended,
        "vigil_places_given_back": released,
        "vigil_signups_deleted": dropped.get("prayer.VigilSignup", 0),
        "vigil_signups_anonymised": anonymised,
        "prayer_requests_made_anonymous": requests,
    }
