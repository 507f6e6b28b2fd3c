from digests.models.digests import DigestDelivery, DigestIssue
from digests.models.subscriptions import Subscription

__all__ = ["DigestDelivery", "DigestIssue", "Subscription"]
