"""Sign-up with double opt-in, the preference centre and one-click unsubscribe.

Links from emails work without an account. Every answer to a sign-up is the same whether
or not the address is already subscribed, so the form cannot be used to probe addresses.
"""

import logging

from allauth.account.models import EmailAddress
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.formguard import error_status, within_limits
from core.mailing import normalise_email
from core.ratelimit import client_ip
from core.signing import LinkRefused, link_refused
from prayer import links
from prayer.emails.subscriptions import send_confirmation
from prayer.forms.subscriptions import PreferencesForm, SubscribeForm
from prayer.links import preferences_url
from prayer.models import Subscription
from prayer.scheduling import next_digest_at

logger = logging.getLogger(__name__)

TEMPLATES = "prayer/subscriptions"
RATE_SCOPE = "prayer-subscribe"


def bad_link(request, refused):
    """A subscription link that does not work; signing up again sends a fresh one."""
    return link_refused(
        request,
        refused,
        new_link_url=reverse("prayer:subscribe"),
        new_link_hint="if you already subscribe, signing up again simply sends you a fresh link.",
    )


def apply_preferences(subscription, preferences):
    for field in ("name", "frequency", "weekday", "time_zone", "wants_restricted"):
        if field in preferences:
            setattr(subscription, field, preferences[field])
    if "topics" in preferences:
        subscription.topics.set(preferences["topics"])


def schedule(subscription, now):
    if subscription.status == Subscription.Status.ACTIVE:
        subscription.next_digest_at = next_digest_at(subscription, now)
    else:
        subscription.next_digest_at = None


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        return render(
            request, f"{TEMPLATES}/subscribe.html", {"form": SubscribeForm(initial=initial)}
        )

    form = SubscribeForm(request.POST)
    if form.is_bot:
        return redirect("prayer:subscribe-check-email")
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
    subscription = record_signup(email, preferences, consent)
    send_confirmation(subscription, preferences)
    return redirect("prayer:subscribe-check-email")


def record_signup(email, preferences, consent):
    """One row per address. What the form chose waits in `pending_changes` until the
    confirmation link is followed, on a new row as on a known one: whoever types an address
    has shown nothing, so until then the row holds no name or choice of theirs for staff to
    see, an account to inherit, or a digest to follow."""
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                email=email,
                status=Subscription.Status.PENDING,
                pending_changes=preferences,
                **consent,
            )
            logger.info("Prayer subscription %s created, awaiting confirmation", subscription.pk)
            return subscription
    except IntegrityError:
        pass  # The address is already known: keep the new choices pending, below.
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(email=email)
        pending = {
            **preferences,
            "consent_at": consent["consent_at"].isoformat(),
            "consent_source": consent["consent_source"],
            "consent_ip": consent["consent_ip"],
        }
        subscription.pending_changes = pending
        update = ["pending_changes"]
        if subscription.status == Subscription.Status.PENDING:
            # Never confirmed: the seven days before it is purged start again.
            for field, value in consent.items():
                setattr(subscription, field, value)
            update += list(consent)
        subscription.save(update_fields=update)
    logger.info("Prayer subscription %s asked for changes, awaiting confirmation", subscription.pk)
    return subscription


@require_GET
def check_your_email(request):
    return render(request, f"{TEMPLATES}/check_your_email.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscription = links.CONFIRM.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)

    needs_confirming = (
        subscription.status == Subscription.Status.PENDING
        or subscription.pending_changes is not None
    )
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

    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        activate(subscription, timezone.now())
    logger.info("Prayer subscription %s confirmed", subscription.pk)
    return render(
        request,
        f"{TEMPLATES}/confirmed.html",
        {
            "subscription": subscription,
            "preferences_url": preferences_url(subscription.pk, subscription.link_version),
        },
    )


def activate(subscription, now):
    changes = subscription.pending_changes or {}
    apply_preferences(subscription, changes)
    if "consent_at" in changes:
        subscription.consent_at = parse_datetime(changes["consent_at"])
        subscription.consent_source = changes.get("consent_source", "")[:200]
        subscription.consent_ip = changes.get("consent_ip")
    subscription.pending_changes = None
    subscription.status = Subscription.Status.ACTIVE
    subscription.confirmed_at = now
    subscription.unsubscribed_at = None
    schedule(subscription, now)
    subscription.save()


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
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
            now = timezone.now()
            if action == "save":
                form = PreferencesForm.for_subscription(subscription, data=request.POST)
                if form.is_valid():
                    apply_preferences(subscription, form.preferences())
                    # The latest choice wins over a sign-up still waiting for its link.
                    subscription.pending_changes = None
                    saved = "Your preferences are saved."
                else:
                    status = 400
            elif action == "pause" and subscription.status == Subscription.Status.ACTIVE:
                subscription.status = Subscription.Status.PAUSED
                saved = "Your updates are paused. Resume them here whenever you like."
            elif action == "resume" and subscription.status in (
                Subscription.Status.PAUSED,
                Subscription.Status.UNSUBSCRIBED,
            ):
                subscription.status = Subscription.Status.ACTIVE
                subscription.unsubscribed_at = None
                saved = "Your updates will start again."
            elif action == "unsubscribe" and subscription.status != (
                Subscription.Status.UNSUBSCRIBED
            ):
                unsubscribe_now(subscription, now)
                saved = "You are unsubscribed. We will not send you prayer updates."
            if saved:
                schedule(subscription, now)
                subscription.save()
        if saved:
            logger.info("Prayer subscription %s changed (%s)", subscription.pk, action)
            form = PreferencesForm.for_subscription(subscription)

    return render(
        request,
        f"{TEMPLATES}/preferences.html",
        {"subscription": subscription, "form": form, "saved": saved},
        status=status,
    )


def unsubscribe_now(subscription, now):
    subscription.status = Subscription.Status.UNSUBSCRIBED
    subscription.unsubscribed_at = now
    subscription.pending_changes = None
    subscription.next_digest_at = None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058: mail clients POST here with no cookies or CSRF token; that POST is enough."""
    try:
        subscription = links.UNSUBSCRIBE.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused)

    if request.method == "POST":
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
            if subscription.status != Subscription.Status.UNSUBSCRIBED:
                unsubscribe_now(subscription, timezone.now())
                subscription.save()
        logger.info("Prayer subscription %s unsubscribed by link", subscription.pk)
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
