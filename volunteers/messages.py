"""Volunteers' bulk message kinds for the outbox (core/outbox.py)."""

from core.emails import render_email
from core.outbox import MessageKind, Recipient, Rendered, placeholder
from volunteers.emails import shift_context
from volunteers.links import manage_url
from volunteers.models import ShiftMessage, ShiftMessageDelivery, SignUp, Volunteer


def statuses(include_waitlist):
    """The sign-ups a shift message goes to."""
    wanted = [SignUp.Status.CONFIRMED]
    if include_waitlist:
        wanted.append(SignUp.Status.WAITLISTED)
    return wanted


class ShiftMessageKind(MessageKind):
    """A coordinator's message to everyone on a shift (and its waiting list, if asked)."""

    name = "shift_message"
    model = ShiftMessageDelivery
    parent_field = "shift_message"

    def create_deliveries(self, parent_id):
        message = ShiftMessage.objects.get(pk=parent_id)
        signups = list(
            SignUp.objects.filter(
                shift_id=message.shift_id,
                status__in=statuses(message.include_waitlist),
                volunteer__anonymised_at__isnull=True,
            ).values_list("pk", "volunteer__email")
        )
        return self.write_deliveries(parent_id, "signup", signups)

    def recipients(self, rows):
        recipients = []
        for (
            row_id,
            status,
            waitlist,
            volunteer_id,
            email,
            version,
            anonymised_at,
        ) in rows.values_list(
            "id",
            "signup__status",
            "shift_message__include_waitlist",
            "signup__volunteer_id",
            "signup__volunteer__email",
            "signup__volunteer__link_version",
            "signup__volunteer__anonymised_at",
        ):
            volunteer = Volunteer(pk=volunteer_id, link_version=version)
            recipients.append(
                Recipient(
                    row_id=row_id,
                    email=email,
                    may_receive=status in statuses(waitlist) and anonymised_at is None,
                    merge={"manage_url": manage_url(volunteer)},
                )
            )
        return recipients

    def render(self, parent_id):
        message = ShiftMessage.objects.select_related("shift__opportunity").get(pk=parent_id)
        context = {
            "subject": message.subject,
            "body": message.body,
            "manage_url": placeholder("manage_url"),
            **shift_context(message.shift),
        }
        return Rendered(*render_email("volunteers-shift-message", context))

    def sending(self):
        return ShiftMessage.objects.filter(
            sent_at__isnull=False, finished_at__isnull=True
        ).values_list("id", flat=True)

    def finish(self, parent_id, now):
        sent = self.rows(parent_id).filter(status=ShiftMessageDelivery.Status.SENT).count()
        ShiftMessage.objects.filter(pk=parent_id, finished_at__isnull=True).update(
            finished_at=now, recipient_count=sent
        )
