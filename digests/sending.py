"""The digest as a message kind of the outbox (core/outbox.py), which sends its batches.

The dispatch renders each issue once per distinct content and writes its delivery rows;
the outbox claims a batch with one conditional UPDATE, records the provider call, makes ONE
provider call with per-recipient merge data and headers, and marks the rows sent in bulk.
No query runs once per recipient: the batch's links are signed fast (batch_links).
"""

from core import outbox
from digests.batch_links import LinkMaker
from digests.models import DigestDelivery, DigestIssue, Subscription

KIND = "digest"


class DigestKind(outbox.MessageKind):
    name = KIND
    model = DigestDelivery
    parent_field = "issue"

    def recipients(self, rows):
        maker = LinkMaker()
        recipients = []
        for row_id, email, subscription_id, link_version, status in rows.values_list(
            "id",
            "subscription__email",
            "subscription_id",
            "subscription__link_version",
            "subscription__status",
        ):
            unsubscribe = maker.url("unsubscribe_url", subscription_id, link_version)
            recipients.append(
                outbox.Recipient(
                    row_id=row_id,
                    email=email,
                    may_receive=status == Subscription.Status.ACTIVE,
                    merge={
                        "unsubscribe_url": unsubscribe,
                        "preferences_url": maker.url(
                            "preferences_url", subscription_id, link_version
                        ),
                    },
                    unsubscribe_url=unsubscribe,
                )
            )
        return recipients

    def render(self, parent_id):
        subject, text, html = DigestIssue.objects.values_list(
            "subject", "body_text", "body_html"
        ).get(pk=parent_id)
        return outbox.Rendered(subject, text, html)

    def sending(self):
        return DigestIssue.objects.filter(status=DigestIssue.Status.SENDING).values_list(
            "id", flat=True
        )

    def finish(self, parent_id, now):
        DigestIssue.objects.filter(pk=parent_id, status=DigestIssue.Status.SENDING).update(
            status=DigestIssue.Status.DONE, finished_at=now
        )


def send_batch(issue_id, first_id, last_id, now=None):
    """Send one batch of an issue's deliveries. Safe to run twice, or at the same time."""
    return outbox.send_batch(KIND, issue_id, first_id, last_id, now)
