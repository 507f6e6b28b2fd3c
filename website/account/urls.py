"""/account/: My Vigil and the supporter's data (allauth's own pages live under /accounts/)."""

from django.urls import path

from website.account import views

urlpatterns = [
    path("", views.home, name="account_home"),
    path("data/", views.data_page, name="account_data"),
    path("data/download/", views.data_download, name="account_data_download"),
    path("delete/", views.delete, name="account_delete"),
    path("deleted/", views.deleted, name="account_deleted"),
]
