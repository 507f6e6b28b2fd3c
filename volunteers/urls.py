from django.urls import path

from volunteers import keep_details, views

app_name = "volunteers"

urlpatterns = [
    path("shifts/<int:shift_id>/sign-up/", views.sign_up, name="sign_up"),
    path("shifts/<int:shift_id>/calendar.ics", views.shift_calendar, name="shift_calendar"),
    path("sign-up/check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("my/", views.my_signups, name="my_signups"),
    path("my/<str:token>/", views.manage, name="manage"),
    path(
        "my/<str:token>/shifts/<int:signup_id>.ics",
        views.signup_calendar_file,
        name="signup_calendar",
    ),
    path("feed/<str:token>/calendar.ics", views.feed, name="feed"),
    path("keep/<str:token>/", keep_details.keep_details, name="keep_details"),
]
