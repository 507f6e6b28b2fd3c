"""The vigils app's bulk message kinds for the outbox (core/outbox.py): organisers'
messages and prayer calendar days."""

import datetime

from django.utils import timezone

from core.emails import render_email
from core.outbox import MessageKind, Recipient, Rendered, placeholder
from vigils.calendar_emails import unsubscribe_url as calendar_unsubscribe_url
from vigils.emails import unsubscribe_url
from vigils.models import (
    CalendarDaySend,
    CalendarDelivery,
    CalendarSubscription,
    VigilMessage,
    VigilMessageDelivery,
    VigilSignup,
)

# A calendar day's email that could not go within a day of its date is not sent late.
MAX_LATENESS = datetime.timedelta(days=1)


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


class CalendarDayKind(MessageKind):
    """A prayer calendar's entry for one date, to each subscriber once their hour has come
    where they are. Rows are written by the 15-minute run (vigils/calendars.py); an entry
    more than a day old is not sent after an outage (no pile of old days)."""

    name = "calendar_day"
    model = CalendarDelivery
    parent_field = "send"

    def recipients(self, rows):
        oldest = (timezone.now() - MAX_LATENESS).date()
        recipients = []
        for row_id, email, subscription_id, version, status, date in rows.values_list(
            "id",
            "subscription__email",
            "subscription_id",
            "subscription__link_version",
            "subscription__status",
            "date",
        ):
            link = calendar_unsubscribe_url(subscription_id, version)
            recipients.append(
                Recipient(
                    row_id=row_id,
                    email=email,
                    may_receive=status == CalendarSubscription.Status.ACTIVE and date >= oldest,
                    merge={"unsubscribe_url": link},
                    unsubscribe_url=link,
                )
            )
        return recipients

    def render(self, parent_id):
        send = CalendarDaySend.objects.select_related("calendar").get(pk=parent_id)
        calendar = send.calendar
        day = next(day for number, _, day in calendar.dated_days() if number == send.number)
        subject, text, html = render_email(
            "prayer-calendar-day",
            {
                "calendar_title": calendar.title,
                "number": send.number,
                "day": day,
                "points": day.points,
                "day_url": calendar.full_day_url(send.number),
                "calendar_url": calendar.full_url,
                "unsubscribe_url": placeholder("unsubscribe_url"),
            },
        )
        return Rendered(subject, text, html)

    def sending(self):
        return CalendarDaySend.objects.filter(finished_at__isnull=True).values_list("id", flat=True)

    def finish(self, parent_id, now):
        CalendarDaySend.objects.filter(pk=parent_id, finished_at__isnull=True).update(
            finished_at=now
        )
