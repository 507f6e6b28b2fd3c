"""My Vigil, the data download and account deletion.

Seeing or downloading one's data and deleting the account ask for the password again
(allauth's reauthentication, or a second factor) when the last check is more than
`ACCOUNT_REAUTHENTICATION_TIMEOUT` old: a session left open on a shared computer must not
hand over or destroy someone's data.
"""

import logging

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.mailing import normalise_email
from core.privacy import sections_everywhere
from website.account.deletion import delete_account
from website.account.export import as_json, gather, readable
from website.account.forms import DeleteAccountForm

logger = logging.getLogger(__name__)

TEMPLATES = "account"


@never_cache
@login_required
@require_GET
def home(request):
    user = request.user
    emails = list(EmailAddress.objects.filter(user=user).values_list("email", "verified"))
    addresses = sorted({normalise_email(email) for email, verified in emails if verified})
    second_factors = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    context = {
        "addresses": addresses,
        "unverified": sorted(email for email, verified in emails if not verified),
        "sections": sections_everywhere(addresses, request) if addresses else [],
        "second_factors": [
            label for kind, label in Authenticator.Type.choices if kind in second_factors
        ],
    }
    return render(request, f"{TEMPLATES}/home.html", context)


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def data_page(request):
    data = gather(request.user)
    context = {"data": readable(data), "made_at": data["about_this_file"]["made_at"]}
    return render(request, f"{TEMPLATES}/data.html", context)


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def data_download(request):
    now = timezone.now()
    response = HttpResponse(
        as_json(gather(request.user, now)), content_type="application/json; charset=utf-8"
    )
    filename = f"vigil-data-{timezone.localdate(now):%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    logger.info("Account %s downloaded its data", request.user.pk)
    return response


def may_delete_here(user):
    """Staff accounts own pages, moderation and rosters: an administrator closes them."""
    return not (user.is_staff or user.is_superuser)


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete(request):
    user = request.user
    if not may_delete_here(user):
        status = 403 if request.method == "POST" else 200
        return render(request, f"{TEMPLATES}/delete_staff.html", status=status)
    if request.method == "GET":
        form = DeleteAccountForm(user=user)
        return render(request, f"{TEMPLATES}/delete.html", {"form": form})
    form = DeleteAccountForm(request.POST, user=user)
    if not form.is_valid():
        return render(request, f"{TEMPLATES}/delete.html", {"form": form}, status=400)
    delete_account(user)
    logout(request)
    return redirect("account_deleted")


@require_GET
def deleted(request):
    return render(request, f"{TEMPLATES}/deleted.html")
