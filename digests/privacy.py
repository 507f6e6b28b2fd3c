"""What the digests app holds about an address (prayer update subscriptions and the digests
they received), for My Vigil, the data download and erasure (the four functions
`core.privacy` asks every app for). A subscription can be linked to an account.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from core.privacy import Item, Link, Section
from digests import links as subscription_links
from digests.models import DigestDelivery, Subscription


def subscriptions_of(addresses):
    return Subscription.objects.filter(email__in=addresses).order_by("email")


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


def attach(user, addresses):
    return {
        "prayer_subscriptions": Subscription.objects.filter(
            email__in=addresses, user__isnull=True
        ).update(user=user),
    }


def sections(addresses, request):
    subscriptions = list(subscriptions_of(addresses).prefetch_related("topics"))
    if subscriptions:
        update_links = [Link("All your prayer updates", reverse("digests:my-subscriptions"))]
    else:
        update_links = [Link("Join the prayer network", reverse("digests:subscribe"))]
    return [
        Section(
            key="prayer-updates",
            heading="Prayer updates",
            items=[subscription_item(subscription) for subscription in subscriptions],
            empty="You do not receive prayer updates by email.",
            links=update_links,
        ),
    ]


def export(addresses):
    digests = (
        DigestDelivery.objects.filter(status=DigestDelivery.Status.SENT)
        .select_related("issue")
        .only("subscription_id", "sent_at", "issue__subject")
        .order_by("sent_at")
    )
    subscriptions = subscriptions_of(addresses).prefetch_related(
        "topics", Prefetch("deliveries", queryset=digests)
    )
    return {"prayer_updates": [subscription_record(subscription) for subscription in subscriptions]}


def erase(addresses, now):
    """Delete the subscriptions (their sent digests go with them)."""
    with transaction.atomic():
        deleted = Subscription.objects.filter(email__in=addresses).delete()[1]
    return {"prayer_subscriptions_deleted": deleted.get("digests.Subscription", 0)}
