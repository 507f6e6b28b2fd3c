"""URLs for prayer digests."""

from django.urls import path

from prayer.views import digests

urlpatterns = [
    path("digests/<int:pk>/", digests.issue_in_browser, name="digest-issue"),
]
