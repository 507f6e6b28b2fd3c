from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from campaigns.messages import CampaignUpdateKind
        from campaigns.models import ChurchRegistration
        from campaigns.progress import forget_progress
        from website import outbox

        outbox.register(CampaignUpdateKind())

        # The cached counters on the campaign page change with every registration.
        post_save.connect(forget_progress, sender=ChurchRegistration, dispatch_uid="campaign-save")
        post_delete.connect(
            forget_progress, sender=ChurchRegistration, dispatch_uid="campaign-delete"
        )
