"""Prayer URLs under /pray/, split by topic."""

from django.urls import include, path

app_name = "prayer"

urlpatterns = [
    path("", include("prayer.urls.requests")),
    path("", include("prayer.urls.subscriptions")),
    path("", include("prayer.urls.digests")),
    path("", include("prayer.urls.calendars")),
    path("", include("prayer.urls.vigils")),
]
