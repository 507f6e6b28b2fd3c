"""URLs for prayer requests: the public submission form (the wall's routes live on its page)."""

from django.urls import path

from prayer.views import requests as views

urlpatterns = [
    path("request/", views.submit_request, name="submit_request"),
    path("request/thanks/", views.request_thanks, name="request_thanks"),
]
