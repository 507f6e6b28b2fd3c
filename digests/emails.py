"""What the subscription flow sends: the double opt-in confirmation, and nothing else."""

from core.emails import queue_email
from core.mailing import may_receive_bulk
from digests.links import confirm_url, preferences_url
from digests.models import Subscription
from prayer.models import Topic


def describe_preferences(preferences):
    """Plain data for the email: what the supporter asked for, in words."""
    topic_names = list(
        Topic.objects.filter(pk__in=preferences.get("topics") or []).values_list("name", flat=True)
    )
    frequency = preferences.get("frequency", Subscription.Frequency.WEEKLY)
    schedule = Subscription.Frequency(frequency).label
    if frequency == Subscription.Frequency.WEEKLY:
        schedule = f"Weekly, on {Subscription.Weekday(preferences.get('weekday') or 0).label}"
    return {
        "topics": topic_names,
        "schedule": schedule,
        "time_zone": preferences.get("time_zone", "UTC"),
        "wants_restricted": bool(preferences.get("wants_restricted")),
    }


def send_confirmation(subscription, preferences):
    """Queue the confirmation link. Addresses on the suppression list get nothing."""
    if not may_receive_bulk(subscription.email):
        return None
    already_confirmed = subscription.confirmed_at is not None
    context = {
        "name": preferences.get("name") or subscription.name,
        "confirm_url": confirm_url(subscription.pk, subscription.link_version),
        "preferences_url": (
            preferences_url(subscription.pk, subscription.link_version) if already_confirmed else ""
        ),
        "is_update": already_confirmed,
        **describe_preferences(preferences),
    }
    return queue_email("prayer-confirm-subscription", subscription.email, context)
