"""Split by topic: requests (and the wall), subscriptions, digests."""
