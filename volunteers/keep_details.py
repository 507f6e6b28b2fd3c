"""The page behind "keep my details" in the inactivity warning (volunteers.retention)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.signing import LinkRefused
from volunteers import links
from volunteers.retention import keep_details as record_keep
from volunteers.views import bad_link


@never_cache
@require_http_methods(["GET", "POST"])
def keep_details(request, token):
    try:
        volunteer = links.KEEP.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused, 404)
    # Details already anonymised are gone, whatever the link says.
    if volunteer.anonymised_at:
        return bad_link(request, LinkRefused(LinkRefused.GONE), 404)
    if request.method == "GET":
        # Link scanners fetch with GET: only the button's POST counts as the volunteer's wish.
        return render(request, "volunteers/keep_details.html", {"volunteer": volunteer})
    if not record_keep(volunteer):
        return bad_link(request, LinkRefused(LinkRefused.GONE), 404)
    messages.success(request, "Thank you: we will keep your details.")
    return redirect(links.manage_path(volunteer))
