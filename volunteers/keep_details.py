"""The page behind "keep my details" in the inactivity warning (volunteers.retention)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from volunteers.links import KEEP_PURPOSE, manage_path
from volunteers.retention import keep_details as record_keep
from volunteers.views import bad_link, volunteer_from_token


@never_cache
@require_http_methods(["GET", "POST"])
def keep_details(request, token):
    volunteer = volunteer_from_token(token, KEEP_PURPOSE, "link_version")
    if volunteer is None or volunteer.anonymised_at:
        return bad_link(request, 404)
    if request.method == "GET":
        # Link scanners fetch with GET: only the button's POST counts as the volunteer's wish.
        return render(request, "volunteers/keep_details.html", {"volunteer": volunteer})
    if not record_keep(volunteer):
        return bad_link(request, 404)
    messages.success(request, "Thank you: we will keep your details.")
    return redirect(manage_path(volunteer))
