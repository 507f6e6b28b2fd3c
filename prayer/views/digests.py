"""The "view in your browser" page of a digest issue.

Public by id: it shows only `browser_html`, which is rendered without restricted
items and without anything personal (no unsubscribe or preference links).
"""

from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from prayer.models import DigestIssue


def issue_in_browser(request, pk):
    issue = get_object_or_404(
        DigestIssue.objects.only("pk", "subject", "created_at", "browser_html"), pk=pk
    )
    return render(
        request,
        "prayer/digests/issue.html",
        {"issue": issue, "content": mark_safe(issue.browser_html)},  # noqa: S308 - our own render
    )
