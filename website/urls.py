from django.conf import settings
from django.urls import include, path, re_path, reverse_lazy
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.views import serve as document_views

from core import health, media
from core.page_cache import cached_for_visitors
from core.webhook_urls import tracking_urlpatterns
from website import views
from website.feeds import StoriesFeed

handler404 = "website.views.page_not_found"
handler500 = "website.views.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Kept for anonymous visitors like the pages (core/page_cache.py); ?p= is the sitemap's
    # page, and a page it does not have is a 404, which is never kept.
    path(
        "sitemap.xml",
        cached_for_visitors(params=("p",))(sitemap),
        name="sitemap",
    ),
    path("feeds/stories/", cached_for_visitors(areas=())(StoriesFeed()), name="stories_feed"),
    path("search/", views.search, name="search"),
    # Every sign-in goes through allauth, so its rate limits, verified addresses and the
    # second factor apply: the back office's (wagtail issue 10882), Wagtail's front-end login
    # for private pages and documents, and its password reset (allauth has its own).
    path(
        "admin/login/",
        RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True),
        name="wagtailadmin_login",
    ),
    path(
        "_util/login/",
        RedirectView.as_view(url=reverse_lazy("account_login"), query_string=True),
        name="wagtailcore_login",
    ),
    re_path(
        r"^admin/password_reset/",
        RedirectView.as_view(url=reverse_lazy("account_reset_password")),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's password forms, with their return address kept on the site (see the view).
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        views.return_on_site(wagtail_views.authenticate_with_password),
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        views.return_on_site(document_views.authenticate_with_password),
        name="wagtaildocs_authenticate_with_password",
    ),
    # Documents: Wagtail's serve view and its privacy check, with Cache-Control (core/media.py).
    re_path(r"^documents/(\d+)/(.*)$", media.serve_document, name="wagtaildocs_serve"),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("pray/", include("prayer.urls")),
    path("pray/", include("digests.urls")),
    path("pray/", include("vigils.urls")),
    path("volunteer/", include("volunteers.urls")),
    path("church/", include("campaigns.urls")),
    # Only the configured provider's tracking webhook (core/webhook_urls.py).
    path("anymail/", include((tracking_urlpatterns(settings.EMAIL_PROVIDER), "anymail"))),
    path("account/", include("website.account.urls")),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Media on local disk (one machine): photos only, never documents (core/media.py).
    # With object storage the bucket is private and photos come by signed URLs.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", media.serve_media, name="media")]

urlpatterns += [path("", include(wagtail_urls))]
