"""Sign-up with double opt-in, the preference centre and one-click unsubscribe.

Links from emails work without an account. Every answer to a sign-up is the same whether
or not the address is already subscribed, so the form cannot be used to probe addresses.
"""

import logging

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.formguard import error_status, within_limits
from core.mailing import normalise_email
from core.page_cache import cached_for_visitors
from core.ratelimit import client_ip
from core.signing import LinkRefused, link_refused
from digests import links, subscriptions
from digests.emails import send_confirmation
from digests.forms import PreferencesForm, SubscribeForm
from digests.links import preferences_url
from digests.models import DigestIssue, Subscription

logger = logging.getLogger(__name__)

TEMPLATES = "digests/subscriptions"
RATE_SCOPE = "prayer-subscribe"


def bad_link(request, refused):
    """A subscription link that does not work; signing up again sends a fresh one."""
    return link_refused(
        request,
        refused,
        new_link_url=reverse("digests:subscribe"),
        new_link_hint="if you already subscribe, signing up again simply sends you a fresh link.",
    )


@require_http_methods(["GET", "POST"])
@cached_for_visitors(areas=("prayer",))  # the topics to choose from
def subscribe(request):
    if request.method == "GET":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        return render(
            request, f"{TEMPLATES}/subscribe.html", {"form": SubscribeForm(initial=initial)}
        )

    form = SubscribeForm(request.POST)
    if form.is_bot:
        return redirect("digests:subscribe-check-email")
    if not form.is_valid() or not within_limits(
        request, form, RATE_SCOPE, email=form.cleaned_data["email"]
    ):
        return render(
            request, f"{TEMPLATES}/subscribe.html", {"form": form}, status=error_status(form)
        )

    email = form.cleaned_data["email"]
    preferences = form.preferences()
    consent = {
        "consent_at": timezone.now(),
        "consent_source": request.path[:200],
        "consent_ip": client_ip(request) or None,
    }
    subscription = subscriptions.record_signup(email, preferences, consent)
    send_confirmation(subscription, preferences)
    return redirect("digests:subscribe-check-email")


@require_GET
def check_your_email(request):
    return render(request, f"{TEMPLATES}/check_your_email.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscription = links.CONFIRM.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)

    needs_confirming = subscriptions.needs_confirming(subscription)
    if request.method == "GET" or not needs_confirming:
        # Link scanners fetch links with GET: only the button's POST changes anything.
        return render(
            request,
            f"{TEMPLATES}/confirm.html",
            {
                "subscription": subscription,
                "needs_confirming": needs_confirming,
                "preferences_url": preferences_url(subscription.pk, subscription.link_version),
            },
        )

    subscription = subscriptions.confirm(subscription)
    return render(
        request,
        f"{TEMPLATES}/confirmed.html",
        {
            "subscription": subscription,
            "preferences_url": preferences_url(subscription.pk, subscription.link_version),
        },
    )


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        subscription = links.PREFERENCES.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)

    form = PreferencesForm.for_subscription(subscription)
    status = 200
    saved = None
    if request.method == "POST" and subscription.status != Subscription.Status.PENDING:
        action = request.POST.get("action", "save")
        subscription, bound, saved = subscriptions.change(
            subscription,
            action,
            lambda row: PreferencesForm.for_subscription(row, data=request.POST),
        )
        if bound is not None and not saved:
            form, status = bound, 400
        elif saved:
            form = PreferencesForm.for_subscription(subscription)

    return render(
        request,
        f"{TEMPLATES}/preferences.html",
        {"subscription": subscription, "form": form, "saved": saved},
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058: mail clients POST here with no cookies or CSRF token; that POST is enough."""
    try:
        subscription = links.UNSUBSCRIBE.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)

    if request.method == "POST":
        subscription = subscriptions.unsubscribe(subscription)
        return render(
            request,
            f"{TEMPLATES}/unsubscribed.html",
            {"preferences_url": preferences_url(subscription.pk, subscription.link_version)},
        )
    return render(request, f"{TEMPLATES}/unsubscribe.html", {"subscription": subscription})


@login_required
@require_GET
def my_subscriptions(request):
    addresses = {
        normalise_email(address)
        for address in EmailAddress.objects.filter(user=request.user, verified=True).values_list(
            "email", flat=True
        )
    }
    subscriptions = [
        (subscription, preferences_url(subscription.pk, subscription.link_version))
        for subscription in Subscription.objects.filter(email__in=addresses)
        .exclude(status=Subscription.Status.PENDING)
        .prefetch_related("topics")
    ]
    return render(request, f"{TEMPLATES}/my_subscriptions.html", {"subscriptions": subscriptions})


def issue_in_browser(request, pk):
    issue = get_object_or_404(
        DigestIssue.objects.only("pk", "subject", "created_at", "browser_html"), pk=pk
    )
    return render(
        request,
        "digests/issue.html",
        {"issue": issue, "content": mark_safe(issue.browser_html)},  # noqa: S308 - our own render
    )
