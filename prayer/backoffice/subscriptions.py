"""Back office for prayer subscriptions."""

viewsets = []
