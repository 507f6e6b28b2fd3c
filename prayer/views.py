"""Public views for prayer requests: the submission form and the "I prayed" button."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.formguard import error_status, within_limits
from core.page_cache import cached_for_visitors
from core.ratelimit import client_ip, within_limit
from core.same_origin import same_origin_post
from prayer import prayed as prayed_counts
from prayer import submissions
from prayer.forms import PrayerRequestForm
from prayer.models import PrayerRequest, PrayerWallPage, Topic
from prayer.prayed import PRAYED_SCOPE

RATE_SCOPE = "prayer-request"
CONNECTION_CAP_REACHED = (
    "Thank you for praying. Very many prayers were counted from your connection in the last "
    "hour, so this one is not added to the count. Please try again later."
)


@cached_for_visitors(areas=("prayer",))  # the topics to choose from
def submit_request(request):
    status = 200
    if request.method == "POST":
        form = PrayerRequestForm(request.POST)
        if form.is_bot:
            # Bots see the same thank-you page and learn nothing; nothing is stored or sent.
            return redirect("prayer:request_thanks")
        if form.is_valid() and within_limits(
            request, form, RATE_SCOPE, email=form.cleaned_data["email"]
        ):
            submissions.submit(form)
            return redirect("prayer:request_thanks")
        status = error_status(form, mistakes=200)
    else:
        form = PrayerRequestForm()
    return render(request, "prayer/requests/submit.html", {"form": form}, status=status)


def request_thanks(request):
    return render(request, "prayer/requests/thanks.html")


# Who prayed, for "once per visitor per request per day".
#
# A signed-in supporter is their account, on every device. Anyone else is a random id in a
# signed first-party cookie, given with their first "I prayed": it lives two days (a count is
# per day, so nothing longer is needed, and nobody is followed from visit to visit) and
# holds nothing about them. The User-Agent is no part of it: changing it changes nothing.
#
# Clearing the cookie makes a new visitor, so the connection's address caps it: at most
# RATE_LIMITS["prayed"]["ip-per-request"] prayers for one request from one address in a day,
# and RATE_LIMITS["prayed"]["ip"] an hour in all. The caps are generous on purpose: a church's
# Wi-Fi, a school or a mobile network puts many real people (with identical phones, often)
# behind one address, and each must count (issue 14).
VISITOR_COOKIE = "vigil_prayed"
VISITOR_COOKIE_SALT = "prayer.prayed.visitor"
VISITOR_COOKIE_MAX_AGE = 2 * 24 * 60 * 60


def visitor_identity(request):
    """(who prayed, the new cookie's value when the visitor has none yet)"""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}", None
    known = request.get_signed_cookie(
        VISITOR_COOKIE, default=None, salt=VISITOR_COOKIE_SALT, max_age=VISITOR_COOKIE_MAX_AGE
    )
    if known:
        return f"visitor:{known}", None
    new = secrets.token_urlsafe(18)
    return f"visitor:{new}", new


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def prayed(request, pk, back_to):
    """The "I prayed" button. Plain POST redirects back with a message; fetch() gets JSON."""
    prayer_request = get_object_or_404(PrayerRequest.objects.on_wall(), pk=pk)
    identity, new_cookie = visitor_identity(request)
    # One button, no form to keep: over the connection's cap, the wall says so.
    address = client_ip(request)
    limited = not within_limit(PRAYED_SCOPE, "ip", address)
    if limited:
        counted, message = False, CONNECTION_CAP_REACHED
    else:
        visitor = prayed_counts.visitor_key(identity)
        counted, message = prayed_counts.count_prayer(prayer_request, visitor, address)
    count = PrayerRequest.objects.values_list("prayed_count", flat=True).get(pk=pk)
    if wants_json(request):
        response = JsonResponse(
            {"counted": counted, "prayed_count": count, "message": message},
            status=429 if limited else 200,
        )
    else:
        messages.add_message(request, messages.WARNING if limited else messages.SUCCESS, message)
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith(
            back_to
        )
        back = back.split("#")[0] if safe else back_to
        response = HttpResponseRedirect(f"{back}#prayer-{pk}")
    if new_cookie:
        response.set_signed_cookie(
            VISITOR_COOKIE,
            new_cookie,
            salt=VISITOR_COOKIE_SALT,
            max_age=VISITOR_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@same_origin_post
@require_POST
def prayed_here(request, pk):
    """The walls' "I prayed" button: back to the wall page it was pressed on."""
    walls = [wall.url for wall in PrayerWallPage.objects.live().public().only("url_path")]
    pressed_on = request.POST.get("next", "")
    wall = next((url for url in walls if pressed_on.startswith(url)), walls[0] if walls else "/")
    return prayed(request, pk, back_to=wall)


FEED_SIZE = 30


class PrayerRequestsFeed(Feed):
    """RSS of the wall's requests, newest first: all topics, or one (`slug`)."""

    feed_type = Rss201rev2Feed

    def __init__(self, wall):
        super().__init__()
        self.wall = wall

    def get_object(self, request, slug=None):
        if slug is None:
            return None
        if "\x00" in slug:
            raise Http404("No such topic")
        return get_object_or_404(Topic, slug=slug[:80])

    def title(self, topic):
        base = f"{settings.WAGTAIL_SITE_NAME}: {self.wall.title}"
        return f"{base}: {topic.name}" if topic else base

    def link(self, topic):
        return self.wall.url + (f"?topic={topic.slug}" if topic else "")

    def description(self, topic):
        if topic:
            return topic.description or f"Prayer requests about {topic.name}."
        return self.wall.intro or "Prayer requests from the prayer wall."

    def items(self, topic):
        requests = self.wall.filtered_requests(topic=topic)
        return requests.order_by("-approved_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        prefix = "Answered: " if item.status == PrayerRequest.Status.ANSWERED else ""
        urgent = "Urgent: " if item.urgent and not prefix else ""
        return f"{prefix}{urgent}{item.title}"

    def item_description(self, item):
        # Feed readers show a description as HTML: the request's plain text is escaped.
        if item.status == PrayerRequest.Status.ANSWERED and item.praise_report:
            return escape(f"{item.public_text}\n\nPraise report: {item.praise_report}")
        return escape(item.public_text)

    def item_link(self, item):
        return self.wall.request_url(item)

    def item_pubdate(self, item):
        return item.publish_at or item.approved_at or item.created_at

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]
