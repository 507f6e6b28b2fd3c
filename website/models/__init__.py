from website.models.mailing import Suppression
from website.models.ministries import MinistryGalleryImage, MinistryPage
from website.models.news import NewsIndexPage, StoryPage
from website.models.pages import HomePage, StandardPage
from website.models.site_settings import OrganisationSettings
from website.models.system import TaskHeartbeat
from website.models.taxonomy import Region, StoryTag
from website.models.users import User

__all__ = [
    "HomePage",
    "MinistryGalleryImage",
    "MinistryPage",
    "NewsIndexPage",
    "OrganisationSettings",
    "Region",
    "StandardPage",
    "StoryPage",
    "StoryTag",
    "Suppression",
    "TaskHeartbeat",
    "User",
]
