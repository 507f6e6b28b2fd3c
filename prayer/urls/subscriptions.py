"""URLs for prayer subscriptions."""

urlpatterns = []
