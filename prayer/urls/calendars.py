"""URLs for prayer calendar emails: confirm and unsubscribe (the page routes the feeds)."""

from django.urls import path

from prayer.views import calendars as views

urlpatterns = [
    path("calendars/check-your-email/", views.check_your_email, name="calendar-check-email"),
    path("calendars/confirm/<str:token>/", views.confirm, name="calendar-confirm"),
    path("calendars/unsubscribe/<str:token>/", views.unsubscribe, name="calendar-unsubscribe"),
]
