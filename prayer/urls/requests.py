"""URLs for prayer requests."""

urlpatterns = []
