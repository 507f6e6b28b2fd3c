"""Public views for prayer requests: the submission form and the "I prayed" button."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from prayer.emails.requests import send_request_received
from prayer.forms.requests import PrayerRequestForm
from prayer.models import PrayedMark, PrayerRequest, Topic
from website.ratelimit import allow, client_ip

SUBMIT_LIMIT = (5, 60 * 60)  # five requests an hour from one address
PRAYED_LIMIT = (60, 60 * 60)  # sixty "I prayed" an hour from one address


def too_many_requests(request, what):
    return render(request, "prayer/requests/too_many.html", {"what": what}, status=429)


def submit_request(request):
    if request.method == "POST":
        if not allow("prayer-request", client_ip(request), *SUBMIT_LIMIT):
            return too_many_requests(request, "prayer requests")
        form = PrayerRequestForm(request.POST)
        if form.is_bot:
            # Bots see the same thank-you page and learn nothing; nothing is stored or sent.
            return redirect("prayer:request_thanks")
        if form.is_valid():
            prayer_request = form.save()
            if prayer_request.submitter_email:
                send_request_received(prayer_request)
            return redirect("prayer:request_thanks")
    else:
        form = PrayerRequestForm()
    return render(request, "prayer/requests/submit.html", {"form": form})


def request_thanks(request):
    return render(request, "prayer/requests/thanks.html")


def visitor_key(request):
    """Who prayed, as a hash: the session if there is one, else the address and browser."""
    if request.session.session_key:
        identity = f"session:{request.session.session_key}"
    else:
        identity = f"ip:{client_ip(request)}:{request.META.get('HTTP_USER_AGENT', '')[:300]}"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{identity}".encode()).hexdigest()


def record_prayed(prayer_request, visitor, day):
    """Count one prayer for the visitor today; False when they already prayed for it today."""
    try:
        with transaction.atomic():
            PrayedMark.objects.create(prayer_request=prayer_request, visitor=visitor, day=day)
    except IntegrityError:
        return False
    PrayerRequest.objects.filter(pk=prayer_request.pk).update(prayed_count=F("prayed_count") + 1)
    return True


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def prayed(request, pk, back_to):
    """The "I prayed" button. Plain POST redirects back with a message; fetch() gets JSON."""
    prayer_request = get_object_or_404(PrayerRequest.objects.on_wall(), pk=pk)
    if not allow("prayer-prayed", client_ip(request), *PRAYED_LIMIT):
        if wants_json(request):
            return JsonResponse(
                {"error": "Too many prayers counted from here. Try later."}, status=429
            )
        return too_many_requests(request, "prayers counted")
    day = timezone.localdate()
    counted = record_prayed(prayer_request, visitor_key(request), day)
    count = PrayerRequest.objects.values_list("prayed_count", flat=True).get(pk=pk)
    message = (
        "Thank you for praying." if counted else "Thank you: your prayer today is already counted."
    )
    if wants_json(request):
        return JsonResponse({"counted": counted, "prayed_count": count, "message": message})
    messages.success(request, message)
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith(back_to)
    back = back.split("#")[0] if safe else back_to
    return HttpResponseRedirect(f"{back}#prayer-{pk}")


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
