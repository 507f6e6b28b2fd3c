"""Site-wide views: search, robots.txt and error pages (My Vigil: website.account; /healthz:
core.health)."""

from functools import wraps

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.views.decorators.http import require_GET
from wagtail.models import Page

from website.models.news import paginate

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
