"""Public views: sign-up (with or without an account), email confirmation, the volunteer's
own page (signed link), and calendar files."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import PageViewRestriction

from core.formguard import error_status, within_limits
from core.signing import LinkRefused, link_refused
from volunteers import links, signups
from volunteers.access import exact_address
from volunteers.calendars import public_shift_calendar, signup_calendar, volunteer_feed
from volunteers.emails import notify
from volunteers.forms import AccountSignUpForm, SignUpForm
from volunteers.links import feed_url, manage_path
from volunteers.models import Shift, SignUp, Volunteer

logger = logging.getLogger(__name__)

TEMPLATES = "volunteers"
SCOPE = "volunteer-signup"


def public_shift(shift_id):
    """A scheduled shift of a live opportunity with no view restriction on it or above, or 404.
    One query: the restriction is asked for as part of it."""
    restricted = PageViewRestriction.objects.filter(
        # The page is the opportunity or above it: its path begins the opportunity's.
        page__path=Substr(OuterRef("opportunity__path"), 1, Length("page__path"))
    )
    shift = get_object_or_404(
        Shift.objects.select_related("opportunity")
        .filter(opportunity__live=True, status=Shift.Status.SCHEDULED)
        .annotate(restricted=Exists(restricted)),
        pk=shift_id,
    )
    if shift.restricted:
        raise Http404("Not a public opportunity")
    return shift


def calendar_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Signing up


@require_http_methods(["GET", "POST"])
def sign_up(request, shift_id):
    shift = public_shift(shift_id)
    opportunity = shift.opportunity
    if request.user.is_authenticated and signups.has_verified_email(request.user):
        return sign_up_with_account(request, shift)

    context = {"shift": shift, "opportunity": opportunity, "closed": not shift.is_open()}
    if request.method == "GET":
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        form = SignUpForm(opportunity=opportunity, initial=initial)
        return render(request, f"{TEMPLATES}/sign_up.html", {**context, "form": form})

    form = SignUpForm(request.POST, opportunity=opportunity)
    if form.is_bot:
        return redirect("volunteers:check_email")
    if not form.is_valid() or not within_limits(
        request, form, SCOPE, email=form.cleaned_data["email"]
    ):
        return render(
            request,
            f"{TEMPLATES}/sign_up.html",
            {**context, "form": form},
            status=error_status(form),
        )
    data = form.cleaned_data
    volunteer = signups.volunteer_for_form(data["email"])
    try:
        signup = signups.request_signup(volunteer, shift, name=data["name"], phone=data["phone"])
    except signups.SignUpRefused as refusal:
        form.add_error(None, str(refusal))
        return render(request, f"{TEMPLATES}/sign_up.html", {**context, "form": form}, status=400)
    # A known sign-up gets its link or its status again: the page below is the same.
    notify(signup, signup.status)
    return redirect("volunteers:check_email")


def sign_up_with_account(request, shift):
    opportunity = shift.opportunity
    volunteer = signups.volunteer_of_user(request.user)
    if request.method == "GET":
        form = AccountSignUpForm(opportunity=opportunity, volunteer=volunteer)
        return render(
            request,
            f"{TEMPLATES}/sign_up.html",
            {
                "shift": shift,
                "opportunity": opportunity,
                "form": form,
                "one_click": True,
                "closed": not shift.is_open(),
            },
        )
    form = AccountSignUpForm(request.POST, opportunity=opportunity, volunteer=volunteer)
    # The account's address is the person: limited per address like the anonymous form.
    if form.is_valid() and within_limits(request, form, SCOPE, email=request.user.email):
        try:
            signup = signups.sign_up_with_account(
                request.user,
                shift,
                age_confirmed=bool(form.cleaned_data.get("age_confirmed")),
                volunteer=volunteer,
            )
        except signups.SignUpRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, result_message(signup))
            return redirect(opportunity.url or "/")
    return render(
        request,
        f"{TEMPLATES}/sign_up.html",
        {"shift": shift, "opportunity": opportunity, "form": form, "one_click": True},
        status=error_status(form),
    )


def result_message(signup):
    if signup.status == SignUp.Status.CONFIRMED:
        return "You are signed up. We have emailed you the details and a calendar file."
    if signup.status == SignUp.Status.WAITLISTED:
        return (
            f"This shift is full: you are number {waitlist_position(signup)} on the waitlist. "
            "We will email you if a spot opens."
        )
    return (
        "Thank you! This role needs a safeguarding check: a coordinator will contact you, and "
        "your place is confirmed once the check is verified."
    )


def waitlist_position(signup):
    """The position the sign-up was placed at (what its email says), else as it is now."""
    return getattr(signup, "placed_position", None) or signup.waitlist_position()


@require_GET
def check_email(request):
    return render(request, f"{TEMPLATES}/check_email.html")


def bad_link(request, refused, status):
    """A volunteer link that does not work. These pages have always answered one status for
    every failure: 400 for a confirmation link, 404 for a volunteer's own pages."""
    return link_refused(
        request,
        refused,
        status=status,
        new_link_hint="Or sign up for the shift again: we will email you a new link.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        signup = links.CONFIRM.resolve(
            token, SignUp.objects.select_related("volunteer", "shift__opportunity")
        )
    except LinkRefused as refused:
        return bad_link(request, refused, 400)
    context = {"signup": signup, "shift": signup.shift, "opportunity": signup.shift.opportunity}
    if request.method == "GET" or signup.status != SignUp.Status.PENDING_EMAIL:
        # Link scanners fetch with GET: only the button's POST allocates a spot.
        return render(
            request,
            f"{TEMPLATES}/confirm.html",
            {**context, "manage_url": manage_path(signup.volunteer)},
        )
    try:
        signup = signups.confirm_email(signup.pk)
    except signups.SignUpRefused as refusal:
        return render(
            request, f"{TEMPLATES}/confirm.html", {**context, "refusal": str(refusal)}, status=409
        )
    return redirect(manage_path(signup.volunteer) + f"?signed-up={signup.pk}")


# The volunteer's own page


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        volunteer = links.MANAGE.resolve(token)
    except LinkRefused as refused:
        return bad_link(request, refused, 404)
    if request.method == "POST":
        return manage_action(request, volunteer)
    if "cancel" in request.GET:
        return confirm_cancel(request, volunteer, request.GET["cancel"])
    rows = (
        SignUp.objects.filter(volunteer=volunteer)
        .exclude(status=SignUp.Status.PENDING_EMAIL)
        .select_related("shift__opportunity")
        .order_by("-shift__starts_at")
    )
    addresses = {}
    held_shifts = {signup.shift_id for signup in rows if signup.is_active}
    for signup in rows:
        opportunity = signup.shift.opportunity
        if opportunity.pk not in addresses:
            addresses[opportunity.pk] = exact_address(volunteer, opportunity)
        signup.address = addresses[opportunity.pk]
        signup.position = signup.waitlist_position()
        signup.can_cancel = signup.is_active and not signup.shift.has_started()
        # A cancelled sign-up offers the shift again while it is open and not held otherwise
        # (once per shift, however often it was cancelled).
        signup.can_sign_up_again = (
            not signup.is_active
            and signup.shift_id not in held_shifts
            and opportunity.live
            and signup.shift.is_open()
        )
        if signup.can_sign_up_again:
            held_shifts.add(signup.shift_id)
    just_signed_up = request.GET.get("signed-up", "")
    return render(
        request,
        f"{TEMPLATES}/manage.html",
        {
            "volunteer": volunteer,
            "signups": rows,
            "feed_url": feed_url(volunteer),
            "just_signed_up": next((s for s in rows if str(s.pk) == just_signed_up[:20]), None),
        },
    )


def confirm_cancel(request, volunteer, signup_id):
    """ "Cancel this sign-up?": the question a GET answers; only its button's POST cancels."""
    signup = (
        SignUp.objects.filter(volunteer=volunteer, pk=parse_id(signup_id))
        .select_related("shift__opportunity")
        .first()
    )
    if signup is None:
        raise Http404("No such sign-up")
    if not signup.is_active or signup.shift.has_started():
        if signup.is_active:
            messages.error(request, "This shift has started: please call your coordinator instead.")
        return redirect(manage_path(volunteer))
    return render(
        request,
        f"{TEMPLATES}/confirm_cancel.html",
        {
            "volunteer": volunteer,
            "signup": signup,
            "shift": signup.shift,
            "manage_url": manage_path(volunteer),
        },
    )


def manage_action(request, volunteer):
    action = request.POST.get("action", "")
    if action == "cancel":
        signup = SignUp.objects.filter(
            volunteer=volunteer, pk=parse_id(request.POST.get("signup"))
        ).first()
        if signup is None:
            raise Http404("No such sign-up")
        try:
            signups.cancel(signup.pk)
        except signups.SignUpRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Your sign-up is cancelled. Thank you for letting us know.")
    elif action == "new-feed":
        Volunteer.objects.filter(pk=volunteer.pk).update(feed_version=volunteer.feed_version + 1)
        messages.success(
            request, "Your calendar feed has a new address; the old one stopped working."
        )
    else:
        return HttpResponse("Unknown action", status=400)
    return redirect(manage_path(volunteer))


def parse_id(value):
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


@login_required
@require_GET
def my_signups(request):
    volunteer = signups.volunteer_of_user(request.user)
    if volunteer is None or not signups.has_verified_email(request.user):
        return render(request, f"{TEMPLATES}/no_signups.html")
    return redirect(manage_path(volunteer))


# Calendar files


@require_GET
def shift_calendar(request, shift_id):
    """Public: the shift's time and area only."""
    shift = public_shift(shift_id)
    return calendar_response(public_shift_calendar(shift), f"shift-{shift.pk}.ics")


@require_GET
def signup_calendar_file(request, token, signup_id):
    try:
        volunteer = links.MANAGE.resolve(token)
    except LinkRefused as refused:
        raise Http404("Bad link") from refused
    signup = get_object_or_404(
        SignUp.objects.select_related("shift__opportunity", "volunteer").holding_place(),
        volunteer=volunteer,
        pk=signup_id,
    )
    return calendar_response(signup_calendar(signup), f"shift-{signup.shift_id}.ics")


@require_GET
def feed(request, token):
    try:
        volunteer = links.FEED.resolve(token)
    except LinkRefused as refused:
        raise Http404("Unknown or revoked feed") from refused
    response = HttpResponse(volunteer_feed(volunteer), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
