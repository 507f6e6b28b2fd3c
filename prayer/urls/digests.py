"""URLs for prayer digests."""

urlpatterns = []
