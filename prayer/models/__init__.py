from prayer.models.digests import DigestDelivery, DigestIssue
from prayer.models.requests import PrayedMark, PrayerRequest
from prayer.models.subscriptions import Subscription
from prayer.models.topics import Topic
from prayer.models.wall import PrayerWallPage

__all__ = [
    "DigestDelivery",
    "DigestIssue",
    "PrayedMark",
    "PrayerRequest",
    "PrayerWallPage",
    "Subscription",
    "Topic",
]
