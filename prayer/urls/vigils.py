"""URLs for vigil sign-ups that arrive from emails (the page itself routes the rest)."""

from django.urls import path

from prayer.views import vigils as views

urlpatterns = [
    path("vigils/check-your-email/", views.check_your_email, name="vigil-check-email"),
    path("vigils/confirm/<str:token>/", views.confirm, name="vigil-confirm"),
    path("vigils/my-slots/<str:token>/", views.manage, name="vigil-manage"),
    path("vigils/my-slots/<str:token>/calendar.ics", views.slots_feed, name="vigil-slots-feed"),
    path("vigils/unsubscribe/<str:token>/", views.unsubscribe, name="vigil-unsubscribe"),
]
