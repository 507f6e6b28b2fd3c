"""Site-wide views: search, robots.txt, health and error pages (My Vigil: website.account)."""

import logging
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page

from website.models.news import paginate

logger = logging.getLogger(__name__)

SEARCH_QUERY_MAX_LENGTH = 200


def search_words(raw):
    """The query as plain words. Double quotes go: Wagtail's SQLite backend hands an unpaired
    one to FTS5, which fails (wagtail issue 13227); control characters and NUL go too."""
    text = "".join(
        char if char.isprintable() and char != '"' else " "
        for char in raw[: SEARCH_QUERY_MAX_LENGTH * 4]
    )
    return " ".join(text.split())[:SEARCH_QUERY_MAX_LENGTH]


@require_GET
def search(request):
    query = search_words(request.GET.get("q", ""))
    results = None
    if query:
        pages = Page.objects.live().public().specific().search(query)
        results = paginate(pages, request.GET.get("page"))
    return render(request, "website/search.html", {"search_query": query, "results": results})


@require_GET
def robots_txt(request):
    return render(
        request,
        "website/robots.txt",
        {"sitemap_url": request.build_absolute_uri("/sitemap.xml")},
        content_type="text/plain",
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on a page that names no icon (the printable roster, an
    email's preview) and feed readers ask anyway. Not permanent: the static name may change."""
    return redirect(static("img/favicon.svg"))


@never_cache
@require_GET
def healthz(request):
    """The database, the task cluster's heartbeat, the cache and the task broker, JSON.

    503 "unhealthy" when the site cannot serve (database unreachable) or tasks stopped
    running (no recent heartbeat); 200 "degraded" when only Redis is away, since pages, forms
    and sign-in then work from the database; else 200 "ok". Load balancers poll this, so it
    costs one query and at most one PING to Redis for each of the cache and the broker (none
    while Redis is in its back-off).
    """
    from website.brokers import broker_health
    from website.cache_backends import cache_health
    from website.models import TaskHeartbeat

    report = {
        "database": "ok",
        "cache": cache_health(),
        "broker": broker_health(),
        "tasks": {"heartbeat_age_seconds": None, "status": "unknown"},
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = (
            TaskHeartbeat.objects.filter(cluster=settings.Q_CLUSTER["name"])
            .values_list("beat_at", flat=True)
            .first()
        )
    except DatabaseError as error:
        logger.warning("Health check: database unavailable (%s)", type(error).__name__)
        report["database"] = "unavailable"
        return JsonResponse({"status": "unhealthy", **report}, status=503)

    if beat is None:
        report["tasks"]["status"] = "no heartbeat yet"
    else:
        age = (timezone.now() - beat).total_seconds()
        report["tasks"]["heartbeat_age_seconds"] = round(age, 1)
        report["tasks"]["status"] = "ok" if age <= settings.HEALTHZ_MAX_HEARTBEAT_AGE else "stale"
    if report["tasks"]["status"] != "ok":
        return JsonResponse({"status": "unhealthy", **report}, status=503)
    if "unavailable" in (report["cache"], report["broker"]):
        return JsonResponse({"status": "degraded", **report})
    return JsonResponse({"status": "ok", **report})


def return_on_site(view):
    """Wagtail's password forms for private pages and documents redirect to any relative
    return address, and `redirect()` takes one without a slash for a URL name: NoReverseMatch,
    a 500. Anything but a path on this site returns to the home page instead."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and not request.POST.get("return_url", "").startswith("/"):
            request.POST = request.POST.copy()
            request.POST["return_url"] = "/"
        return view(request, *args, **kwargs)

    return checked


def server_error(request):
    """A 500 page that needs neither the database nor a request context."""
    return HttpResponseServerError(get_template("500.html").render())


def page_not_found(request, exception):
    return HttpResponse(get_template("404.html").render({"request": request}, request), status=404)
