"""The public list of churches taking part: only those who agreed, and only name, city, country.

This is the one place registrations reach a public page. It selects the three public
columns and nothing else, so no contact detail can reach the template by mistake.
"""

from django.core.paginator import Paginator
from django_countries import countries

from campaigns.models import ChurchRegistration
from campaigns.progress import campaign_progress
from core import page_cache

PUBLIC_COLUMNS = ("church_name", "city", "country")
CHURCHES_PER_PAGE = 50


def listed_churches(campaign):
    return ChurchRegistration.objects.filter(campaign=campaign).listed().values(*PUBLIC_COLUMNS)


def public_churches(page, request):
    listed = listed_churches(page)
    codes = sorted(
        set(listed.order_by().values_list("country", flat=True)), key=lambda c: countries.name(c)
    )
    wanted = request.GET.get("country", "")[:2].upper()
    active = wanted if wanted in codes else ""
    if active:
        listed = listed.filter(country=active)
    rows = listed.order_by("church_name", "city")
    churches_page = Paginator(rows, CHURCHES_PER_PAGE).get_page(request.GET.get("page"))
    page_cache.declare(
        request,
        params=("country", "page"),
        canonical=page_cache.given_as_is(request, "country", active)
        and page_cache.given_as_is(request, "page", churches_page.number),
    )
    churches = [{**row, "country_name": countries.name(row["country"])} for row in churches_page]
    response = page.render(
        request,
        template="campaigns/churches.html",
        context_overrides={
            "churches": churches,
            "churches_page": churches_page,
            "countries": [(code, countries.name(code)) for code in codes],
            "active_country": active,
            "unknown_country": bool(wanted and not active),
            "progress": campaign_progress(page),
            "churches_url": page.url + page.reverse_subpage("churches"),
        },
    )
    return response
