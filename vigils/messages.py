"""Prayer's bulk message kinds for the outbox (core/outbox.py)."""

from core.emails import render_email
from core.outbox import MessageKind, Recipient, Rendered
from vigils.emails import unsubscribe_url
from vigils.models import VigilMessage, VigilMessageDelivery, VigilSignup


class VigilMessageKind(MessageKind):
    """An organiser's message to everyone holding a slot who wants organisers' mail."""

    name = "vigil_message"
    model = VigilMessageDelivery
    parent_field = "vigil_message"

    def create_deliveries(self, parent_id):
        message = VigilMessage.objects.get(pk=parent_id)
        signups = list(
            VigilSignup.objects.filter(
                vigil_id=message.vigil_id,
                status=VigilSignup.Status.CONFIRMED,
                wants_organiser_email=True,
                bookings__isnull=False,
            )
            .distinct()
            .values_list("pk", "email")
        )
        return self.write_deliveries(parent_id, "signup", signups)

    def recipients(self, rows):
        return [
            Recipient(
                row_id=row_id,
                email=email,
                may_receive=status == VigilSignup.Status.CONFIRMED and wants,
                unsubscribe_url=unsubscribe_url(signup_id, version),
            )
            for row_id, email, signup_id, version, status, wants in rows.values_list(
                "id",
                "signup__email",
                "signup_id",
                "signup__link_version",
                "signup__status",
                "signup__wants_organiser_email",
            )
        ]

    def render(self, parent_id):
        message = VigilMessage.objects.select_related("vigil").get(pk=parent_id)
        vigil = message.vigil
        _, text, html = render_email(
            "prayer-vigil-message",
            {"vigil_title": vigil.title, "vigil_url": vigil.full_url, "body": message.body},
        )
        return Rendered(message.subject, text, html)

    def sending(self):
        return VigilMessage.objects.filter(
            started_at__isnull=False, finished_at__isnull=True
        ).values_list("id", flat=True)

    def finish(self, parent_id, now):
        sent = self.rows(parent_id).filter(status=VigilMessageDelivery.Status.SENT).count()
        VigilMessage.objects.filter(pk=parent_id, finished_at__isnull=True).update(
            finished_at=now, recipient_count=sent
        )
