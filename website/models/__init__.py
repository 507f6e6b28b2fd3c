from website.models.consent import ConsentRecord, EditorialConsent, PrayerRequestConsent
from website.models.ministries import MinistryGalleryImage, MinistryPage
from website.models.news import NewsIndexPage, StoryPage
from website.models.pages import HomePage, StandardPage
from website.models.site_settings import WaysInSettings
from website.models.taxonomy import Region, StoryTag
from website.models.users import User

__all__ = [
    "ConsentRecord",
    "EditorialConsent",
    "HomePage",
    "MinistryGalleryImage",
    "MinistryPage",
    "NewsIndexPage",
    "PrayerRequestConsent",
    "Region",
    "StandardPage",
    "StoryPage",
    "StoryTag",
    "User",
    "WaysInSettings",
]
