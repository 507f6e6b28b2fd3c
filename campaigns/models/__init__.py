from campaigns.models.pages import CampaignIndexPage, CampaignPage, CampaignResource
from campaigns.models.registrations import (
    PARTICIPATION_FIELDS,
    ChurchRegistration,
    Participation,
    RegistrationContact,
    ResourceDownload,
)
from campaigns.models.updates import CampaignUpdate, UpdateDelivery

__all__ = [
    "PARTICIPATION_FIELDS",
    "CampaignIndexPage",
    "CampaignPage",
    "CampaignResource",
    "CampaignUpdate",
    "ChurchRegistration",
    "Participation",
    "RegistrationContact",
    "ResourceDownload",
    "UpdateDelivery",
]
