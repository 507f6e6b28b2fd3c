"""Signed-link pages for churches, under /church/ (the campaign pages are Wagtail pages)."""

from django.urls import path

from campaigns.views import links

app_name = "campaigns"

urlpatterns = [
    path("registration/<str:token>/", links.manage, name="manage"),
    path("kit/<int:resource_id>/<str:token>/", links.download, name="download"),
    path("updates/unsubscribe/<str:token>/", links.unsubscribe, name="unsubscribe"),
    path("contact/confirm/<str:token>/", links.confirm_contact, name="confirm_contact"),
]
