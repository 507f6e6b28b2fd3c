"""Back office for prayer digests."""

viewsets = []
