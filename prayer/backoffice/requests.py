"""Back office for prayer requests."""

viewsets = []
