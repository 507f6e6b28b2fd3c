"""URLs for prayer requests under /pray/: the public submission form (the wall's routes live on
its page)."""

from django.urls import path

from prayer import views

app_name = "prayer"

urlpatterns = [
    path("request/", views.submit_request, name="submit_request"),
    path("request/thanks/", views.request_thanks, name="request_thanks"),
    # "I prayed", with no CSRF token (core/same_origin.py), so the wall is the same for all.
    path("request/<int:pk>/prayed/", views.prayed_here, name="prayed"),
]
