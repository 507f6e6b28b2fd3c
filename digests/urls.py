"""URLs for subscriptions and digests under /pray/ (the paths emailed links already use)."""

from django.urls import path

from digests import views

app_name = "digests"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.check_your_email, name="subscribe-check-email"),
    path("confirm/<str:token>/", views.confirm, name="subscription-confirm"),
    path("preferences/<str:token>/", views.preferences, name="subscription-preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="subscription-unsubscribe"),
    path("subscriptions/", views.my_subscriptions, name="my-subscriptions"),
    path("digests/<int:pk>/", views.issue_in_browser, name="digest-issue"),
]
