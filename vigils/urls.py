"""URLs under /pray/ that arrive from vigil and calendar emails (the pages route the rest)."""

from django.urls import path

from vigils.views import calendars, vigils

app_name = "vigils"

urlpatterns = [
    path("vigils/check-your-email/", vigils.check_your_email, name="vigil-check-email"),
    path("vigils/confirm/<str:token>/", vigils.confirm, name="vigil-confirm"),
    path("vigils/my-slots/<str:token>/", vigils.manage, name="vigil-manage"),
    path("vigils/my-slots/<str:token>/calendar.ics", vigils.slots_feed, name="vigil-slots-feed"),
    path("vigils/unsubscribe/<str:token>/", vigils.unsubscribe, name="vigil-unsubscribe"),
    path("calendars/check-your-email/", calendars.check_your_email, name="calendar-check-email"),
    path("calendars/confirm/<str:token>/", calendars.confirm, name="calendar-confirm"),
    path("calendars/unsubscribe/<str:token>/", calendars.unsubscribe, name="calendar-unsubscribe"),
]
