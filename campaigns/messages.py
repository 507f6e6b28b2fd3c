"""Campaigns' bulk message kinds for the outbox (website/outbox.py)."""

from campaigns import links, updates
from campaigns.models import CampaignUpdate, UpdateDelivery
from core.outbox import MessageKind, Recipient, Rendered


class CampaignUpdateKind(MessageKind):
    """A campaign update to every registered contact who agreed to updates."""

    name = "campaign_update"
    model = UpdateDelivery
    parent_field = "update"

    def batch_size(self):
        return updates.batch_size()

    def recipients(self, rows):
        return [
            Recipient(
                row_id=row_id,
                email=email,
                may_receive=consents and unsubscribed_at is None,
                merge={"unsubscribe_url": (url := links.unsubscribe_url(contact_id, version))},
                unsubscribe_url=url,
            )
            for row_id, email, contact_id, version, consents, unsubscribed_at in rows.values_list(
                "id",
                "contact__email",
                "contact_id",
                "contact__link_version",
                "contact__consents_to_updates",
                "contact__unsubscribed_at",
            )
        ]

    def render(self, parent_id):
        update = CampaignUpdate.objects.select_related("campaign").get(pk=parent_id)
        return Rendered(*updates.render_update(update))

    def create_deliveries(self, parent_id):
        return updates.create_deliveries(parent_id)

    def sending(self):
        return CampaignUpdate.objects.filter(status=CampaignUpdate.Status.SENDING).values_list(
            "id", flat=True
        )

    def finish(self, parent_id, now):
        CampaignUpdate.objects.filter(pk=parent_id, status=CampaignUpdate.Status.SENDING).update(
            status=CampaignUpdate.Status.SENT, finished_at=now
        )
