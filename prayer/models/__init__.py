from prayer.models.pray import PrayPage
from prayer.models.requests import PrayedMark, PrayerRequest
from prayer.models.topics import Topic
from prayer.models.wall import PrayerWallPage

__all__ = [
    "PrayPage",
    "PrayedMark",
    "PrayerRequest",
    "PrayerWallPage",
    "Topic",
]
