from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def bind_route_views():
    from campaigns.models import CampaignPage
    from campaigns.views.progress import public_churches
    from campaigns.views.registration import campaign_page, register, thanks

    CampaignPage.route_views.bind(
        campaign=campaign_page, register=register, thanks=thanks, churches=public_churches
    )


def register_demo():
    from campaigns.demo import create_campaign_demo, ensure_campaign_pages
    from core import demo

    demo.register("pages", ensure_campaign_pages)
    demo.register("content", create_campaign_demo, order=20)


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from campaigns import privacy as campaign_privacy
        from campaigns.messages import CampaignUpdateKind
        from campaigns.models import ChurchRegistration
        from campaigns.progress import forget_progress
        from core import outbox, privacy, schedules

        outbox.register(CampaignUpdateKind())
        privacy.register(campaign_privacy)
        bind_route_views()
        register_demo()
        # Campaign updates now resume with every other bulk message (core.outbox).
        schedules.retire("resume-campaign-updates")
        # Retention (issue 7): see the README's "Retention" section for what it keeps.
        schedules.register(
            "reduce-past-campaign-registrations",
            "campaigns.retention.reduce_old_registrations",
            24 * 60,
        )

        # The cached counters on the campaign page change with every registration.
        post_save.connect(forget_progress, sender=ChurchRegistration, dispatch_uid="campaign-save")
        post_delete.connect(
            forget_progress, sender=ChurchRegistration, dispatch_uid="campaign-delete"
        )
