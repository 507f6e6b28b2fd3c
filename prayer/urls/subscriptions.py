"""URLs for prayer subscriptions."""

from django.urls import path

from prayer.views import subscriptions as views

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.check_your_email, name="subscribe-check-email"),
    path("confirm/<str:token>/", views.confirm, name="subscription-confirm"),
    path("preferences/<str:token>/", views.preferences, name="subscription-preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="subscription-unsubscribe"),
    path("subscriptions/", views.my_subscriptions, name="my-subscriptions"),
]
