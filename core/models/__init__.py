from core.models.generations import Generation
from core.models.mailing import Suppression, WebhookReceipt
from core.models.outbound import OutboundEmail
from core.models.site_settings import CachedSiteSetting, OrganisationSettings
from core.models.system import TaskHeartbeat

__all__ = [
    "CachedSiteSetting",
    "Generation",
    "OrganisationSettings",
    "OutboundEmail",
    "Suppression",
    "TaskHeartbeat",
    "WebhookReceipt",
]
