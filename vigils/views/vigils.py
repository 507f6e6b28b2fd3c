"""Public vigil views: the page with its coverage grid, sign-up, the pulse, and signed links.

Signed-in people with a verified address get their slots at once. Everyone else gets an
email link first and the places are taken when they follow it, so a slot is never held for
someone who may not exist; if a slot filled meanwhile, the confirmation page says which.
"""

import logging
import zoneinfo

from allauth.account.models import EmailAddress
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core import page_cache
from core.formguard import error_status, within_limits
from core.signing import LinkRefused, link_refused
from core.time_zones import known_zones
from vigils import emails as vigil_emails
from vigils import signups
from vigils.forms import MAX_SLOTS_AT_ONCE, VigilSignupForm, listed_zone_choices
from vigils.models import SlotBooking, VigilSignup, VigilSlot
from vigils.slots import (
    SlotsUnavailable,
    bookings_ics_bytes,
    cancel_bookings,
    coverage,
    overlapping_bookings,
    parse_slot_key,
    pulse,
    shown_days,
    slot_key,
    slot_label,
    slot_views,
)

logger = logging.getLogger(__name__)

TEMPLATES = "vigils"
RATE_SCOPE = "vigil-signup"


def visitor_zone(request, vigil, source=None):
    """The zone the grid is shown in: ``?tz=`` when it names a real zone, else the host's."""
    name = (source if source is not None else request.GET).get("tz", "")
    if isinstance(name, str) and name in known_zones():
        return zoneinfo.ZoneInfo(name)
    return vigil.zone


def verified_user(request):
    """The signed-in user when their account address is verified, else None."""
    user = request.user
    if not user.is_authenticated or not user.email:
        return None
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=user.email, verified=True
    ).exists()
    return user if verified else None


def describe(slots, zone):
    """Plain text names of slots in ``zone``, for messages and emails."""
    return [slot_label(slot, zone) for slot in slots]


def unavailable_message(problem, zone):
    parts = []
    if problem.full:
        parts.append("already full: " + "; ".join(describe(problem.full, zone)))
    if problem.started:
        parts.append("already started: " + "; ".join(describe(problem.started, zone)))
    return (
        "We could not sign you up, and none of your slots were taken, because some are "
        + " and some ".join(parts)
        + ". Please choose other slots."
    )


def overlap_message(slots, zone):
    return (
        "You already pray at an overlapping time: "
        + "; ".join(describe(slots, zone))
        + ". Choose slots that do not overlap."
    )


def phase(vigil):
    now = timezone.now()
    if vigil.starts_at and now < vigil.starts_at:
        return "before"
    if vigil.ends_at and now >= vigil.ends_at:
        return "after"
    return "during"


def vigil_context(request, vigil, zone, form=None, problem="", source=None):
    views = slot_views(vigil, zone)
    praying, next_open = pulse(views)
    user = verified_user(request)
    source = source if source is not None else request.GET
    days = shown_days(views, source.get("day"))
    chosen = set(form.data.getlist("slots")) if form is not None and form.is_bound else set()
    return {
        "zone_name": zone.key,
        "host_zone_name": vigil.zone.key,
        # A zone the visitor chose is kept; otherwise the browser may show its own (JavaScript).
        "zone_chosen": "tz" in source,
        "zone_choices": listed_zone_choices(zone.key),
        "grid": coverage(views, shown=days.views),
        "days": days,
        "praying_now": praying,
        "next_open": next_open,
        "running": vigil.is_running(),
        "phase": phase(vigil),
        "form": form or VigilSignupForm(vigil=vigil, user=user, initial={"time_zone": zone.key}),
        "signed_in_as": user.email if user else None,
        "problem": problem,
        "chosen": chosen,
        "chosen_elsewhere": chosen_elsewhere(chosen, days),
        "signup_url": vigil.route_url("signup"),
        "pulse_url": vigil.route_url("pulse"),
    }


def chosen_elsewhere(chosen, days):
    """Slots ticked on other days of a vigil shown a day at a time (static/js/vigil-days.js
    keeps them while the visitor looks at other days): the form carries them on, hidden."""
    shown = {view.key for view in days.views}
    keys = sorted(key for key in chosen if key not in shown and parse_slot_key(key))
    return keys[: 2 * MAX_SLOTS_AT_ONCE]


def vigil_page(request, vigil, form=None, problem="", status=200, zone=None, source=None):
    zone = zone or visitor_zone(request, vigil)
    context = vigil_context(request, vigil, zone, form, problem, source)
    current_day = context["days"].current
    page_cache.declare(
        request,
        params=("tz", "day"),
        canonical=page_cache.given_as_is(request, "tz", zone.key)
        and (
            "day" not in request.GET
            if current_day is None
            else page_cache.given_as_is(request, "day", current_day.isoformat())
        ),
    )
    response = vigil.render(request, context_overrides=context)
    response.status_code = status
    return response


def signup(request, vigil):
    zone = visitor_zone(request, vigil, source=request.POST)
    user = verified_user(request)
    form = VigilSignupForm(request.POST, vigil=vigil, user=user)
    if form.is_bot:
        return redirect("vigils:vigil-check-email")
    if not form.is_valid() or not within_limits(
        request, form, RATE_SCOPE, email=form.email_address
    ):
        return vigil_page(
            request,
            vigil,
            form=form,
            status=error_status(form),
            zone=zone,
            source=request.POST,
        )
    email = form.email_address
    slots = form.cleaned_data["slots"]
    details = {
        "display_name": form.cleaned_data["display_name"],
        "time_zone": form.cleaned_data["time_zone"],
    }
    if user is None:
        signup = signups.record_pending(vigil, email, slots, details)
        # Every slot waiting for this link, other days' included (signups.record_pending).
        waiting = sorted(pending_slots(signup), key=lambda slot: slot.starts_at)
        vigil_emails.send_confirm_link(
            signup, describe(waiting, zoneinfo.ZoneInfo(signups.signup_zone(details)))
        )
        return redirect("vigils:vigil-check-email")

    overlapping = overlapping_bookings(email, slots)
    if overlapping:
        return vigil_page(
            request,
            vigil,
            form=form,
            problem=overlap_message(overlapping, zone),
            status=400,
            zone=zone,
            source=request.POST,
        )
    try:
        signup, booked = signups.sign_up_verified(vigil, email, user, slots, details)
    except SlotsUnavailable as problem:
        return vigil_page(
            request,
            vigil,
            form=form,
            problem=unavailable_message(problem, zone),
            status=409,
            zone=zone,
            source=request.POST,
        )
    except IntegrityError:
        return vigil_page(
            request,
            vigil,
            form=form,
            problem=RETRY_MESSAGE,
            status=409,
            zone=zone,
            source=request.POST,
        )
    return redirect(
        done_url(vigil_emails.manage_path(signup.pk, signup.link_version), "booked", booked)
    )


RETRY_MESSAGE = "Another sign-up of yours was being saved at the same moment. Please try again."


def done_url(path, what, slots):
    """Where to land after a change: the signed page, saying what was done (no session needed)."""
    return f"{path}?{what}={len(slots)}"


def done_message(request):
    """The sentence for ?booked=N or ?cancelled=N; nothing for anything else."""
    for what in ("booked", "cancelled"):
        value = request.GET.get(what, "")
        if value.isascii() and value.isdigit() and len(value) < 4:
            count = int(value)
            slots = ngettext("%(count)d slot", "%(count)d slots", count) % {"count": count}
            if what == "cancelled":
                return f"Cancelled {slots}. Thank you for letting us know."
            if count == 0:
                return "You already hold these slots."
            return (
                f"You are signed up for {slots}. We have emailed you the times and a calendar file."
            )
    return ""


@require_GET
def check_your_email(request):
    return render(request, f"{TEMPLATES}/check_your_email.html")


def pulse_fragment(request, vigil):
    zone = visitor_zone(request, vigil)
    views = slot_views(vigil, zone)
    praying, next_open = pulse(views)
    response = render(
        request,
        f"{TEMPLATES}/_pulse.html",
        {
            "page": vigil,
            "praying_now": praying,
            "next_open": next_open,
            "running": vigil.is_running(),
            "phase": phase(vigil),
            "zone_name": zone.key,
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


# ---------------------------------------------------------------------------
# Signed links from emails


SIGNUPS = VigilSignup.objects.select_related("vigil")


def bad_link(request, refused):
    return link_refused(
        request, refused, new_link_hint="Or go back to the vigil's page and sign up again."
    )


def pending_slots(signup):
    request = signup.pending_request or {}
    starts = []
    for value in request.get("slots", []):
        try:
            starts.append(timezone.datetime.fromisoformat(value))
        except (TypeError, ValueError):
            continue
    return list(VigilSlot.objects.filter(vigil=signup.vigil, starts_at__in=starts))


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        signup = vigil_emails.CONFIRM.resolve(token, SIGNUPS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    zone = zoneinfo.ZoneInfo((signup.pending_request or {}).get("time_zone") or signup.time_zone)
    slots = sorted(pending_slots(signup), key=lambda slot: slot.starts_at)
    context = {
        "signup": signup,
        "vigil": signup.vigil,
        "slots": describe(slots, zone),
        # What the form typed is applied only by the button below: show it before.
        "shown_as": (signup.pending_request or {}).get("display_name") or "Someone",
        "manage_url": vigil_emails.manage_path(signup.pk, signup.link_version),
    }
    if signup.pending_request is None or request.method == "GET":
        # Link scanners fetch links with GET: only the button's POST takes any place.
        return render(request, f"{TEMPLATES}/confirm.html", context)

    overlapping = overlapping_bookings(signup.email, slots)
    if overlapping:
        context["problem"] = overlap_message(overlapping, zone)
        return render(request, f"{TEMPLATES}/confirm.html", context, status=409)
    try:
        booked = signups.confirm(signup, slots, zone)
    except signups.AlreadyConfirmed:
        return redirect(context["manage_url"])
    except SlotsUnavailable as problem:
        context["problem"] = unavailable_message(problem, zone)
        return render(request, f"{TEMPLATES}/confirm.html", context, status=409)
    except IntegrityError:
        context["problem"] = RETRY_MESSAGE
        return render(request, f"{TEMPLATES}/confirm.html", context, status=409)
    return redirect(done_url(context["manage_url"], "booked", booked))


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """One person's slots in one vigil: see them, cancel some or all."""
    try:
        signup = vigil_emails.MANAGE.resolve(token, SIGNUPS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    zone = zoneinfo.ZoneInfo(signup.time_zone or "UTC")
    status = 200
    problem = ""
    if request.method == "POST":
        keys = request.POST.getlist("cancel")
        starts = [parse_slot_key(key) for key in keys[:500]]
        if not keys or None in starts:
            problem = "Choose the slots you want to cancel."
            status = 400
        else:
            slot_ids = VigilSlot.objects.filter(
                vigil=signup.vigil, starts_at__in=starts
            ).values_list("pk", flat=True)
            cancelled = cancel_bookings(signup, list(slot_ids))
            if cancelled:
                return redirect(done_url(request.path, "cancelled", cancelled))
            problem = "Those slots are not yours to cancel, or they have started."
            status = 400
    now = timezone.now()
    bookings = list(
        SlotBooking.objects.filter(signup=signup).select_related("slot").order_by("slot__starts_at")
    )
    rows = [
        {
            "key": slot_key(booking.slot.starts_at),
            "label": describe([booking.slot], zone)[0],
            "host_label": describe([booking.slot], signup.vigil.zone)[0],
            "started": booking.slot.starts_at <= now,
        }
        for booking in bookings
    ]
    return render(
        request,
        f"{TEMPLATES}/manage.html",
        {
            "signup": signup,
            "vigil": signup.vigil,
            "rows": rows,
            "zone_name": zone.key,
            "host_zone_name": signup.vigil.zone.key,
            "problem": problem,
            "done": "" if problem else done_message(request),
            "feed_url": vigil_emails.slots_feed_url(signup.pk, signup.link_version),
        },
        status=status,
    )


@require_GET
def slots_feed(request, token):
    """The slots one person holds in one vigil, as a calendar feed to subscribe to."""
    try:
        signup = vigil_emails.FEED.resolve(token, SIGNUPS)
    except LinkRefused as refused:
        return HttpResponse("Unknown or revoked calendar feed", status=refused.status)
    slots = [
        booking.slot
        for booking in SlotBooking.objects.filter(signup=signup)
        .select_related("slot")
        .order_by("slot__starts_at")
    ]
    manage_url = vigil_emails.manage_url(signup.pk, signup.link_version)
    response = HttpResponse(
        bookings_ics_bytes(signup, slots, manage_url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="vigil-{signup.vigil.slug}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058 one-click: stop the organisers' messages (reminders for one's slots go on)."""
    try:
        signup = vigil_emails.UNSUBSCRIBE.resolve(token, SIGNUPS)
    except LinkRefused as refused:
        return bad_link(request, refused)
    if request.method == "POST":
        signups.stop_organiser_messages(signup)
        return render(request, f"{TEMPLATES}/unsubscribed.html", {"vigil": signup.vigil})
    return render(request, f"{TEMPLATES}/unsubscribe.html", {"signup": signup})
