"""An address that unsubscribed at the mail provider (its own link or list) gets no digest.

core.webhooks calls this for the provider's "unsubscribed" event (registered in PrayerConfig).
"""

from django.utils import timezone

from digests.models import Subscription


def stop_digests(email: str) -> None:
    """Idempotent: a replayed event finds the subscription already unsubscribed."""
    Subscription.objects.filter(email=email).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at=timezone.now(),
        pending_changes=None,
        next_digest_at=None,
    )
