"""The prayer wall: a page listing the requests everyone may pray for."""

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from core import page_cache
from core.filters import ListingFilters
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from core.routing import RouteViews
from website.models.pages import SocialMetaMixin, own_calls_to_action

WALL_PAGE_SIZE = 12
ANSWERED_ON_WALL = 6


class PrayerWallPage(CachedPage, RestrictionsFromRequest, RoutablePageMixin, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("prayer",)

    # The routes' views, bound by the app's ready() (core/routing.py).
    route_views = RouteViews()

    intro = models.TextField(max_length=500, blank=True)
    calls_to_action = own_calls_to_action()

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("calls_to_action")]
    parent_page_types = ["website.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "prayer/prayer_wall_page.html"

    class Meta:
        verbose_name = "prayer wall"

    # What the public may see. Only `on_wall()` requests, and never their restricted text: the
    # querysets below defer it so no template can reach it by mistake.

    @staticmethod
    def visible_requests():
        from prayer.models import PrayerRequest

        return (
            PrayerRequest.objects.on_wall()
            .defer("restricted_text", "submitter_name", "submitter_email")
            .prefetch_related("topics", "regions")
        )

    def filtered_requests(self, topic=None, region=None):
        requests = self.visible_requests()
        if topic:
            requests = requests.filter(topics=topic)
        if region:
            requests = requests.filter(regions=region)
        return requests

    def wall_context(self, request):
        from prayer.models import PrayerRequest, Topic
        from website.models import Region

        filters = ListingFilters(request.GET, items="requests")
        topic = filters.choose("topic", lambda slug: Topic.objects.filter(slug=slug).first())
        region = filters.choose("region", lambda slug: Region.objects.filter(slug=slug).first())
        requests = self.filtered_requests(topic, region)
        to_pray = requests.filter(status=PrayerRequest.Status.APPROVED).wall_order()
        answered = requests.filter(status=PrayerRequest.Status.ANSWERED).order_by(
            "-answered_at", "-pk"
        )[:ANSWERED_ON_WALL]
        on_wall = PrayerRequest.objects.on_wall()
        shown = Paginator(to_pray, WALL_PAGE_SIZE).get_page(request.GET.get("page"))
        page_cache.declare(
            request,
            params=("topic", "region", "page"),
            canonical=not filters.ignored and page_cache.given_as_is(request, "page", shown.number),
        )
        return {
            "prayer_requests": shown,
            "answered_requests": list(answered),
            "topics": list(Topic.objects.all()),
            "regions": list(Region.objects.filter(prayer_requests__in=on_wall).distinct()),
            "active_topic": topic,
            "active_region": region,
            "feed_url": self.url + self.reverse_subpage("feed"),
            "topic_feed_url": topic
            and self.url + self.reverse_subpage("topic_feed", args=[topic.slug]),
            **filters.context(),
        }

    @path("", name="wall")
    def wall(self, request):
        return self.render(request, context_overrides=self.wall_context(request))

    @path("<int:pk>/", name="prayer_request")
    def prayer_request(self, request, pk):
        prayer_request = get_object_or_404(self.visible_requests(), pk=pk)
        return self.render(
            request,
            template="prayer/requests/prayer_request.html",
            context_overrides={"prayer_request": prayer_request},
        )

    @path("<int:pk>/prayed/", name="prayed")
    def prayed(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self.route_views["prayed"](request, pk, back_to=self.url)

    @path("feed/", name="feed")
    def feed(self, request):
        return self.route_views["feed"](self)(request)

    @path("topics/<str:slug>/feed/", name="topic_feed")
    def topic_feed(self, request, slug):
        return self.route_views["feed"](self)(request, slug=slug)

    def request_url(self, prayer_request):
        return self.url + self.reverse_subpage("prayer_request", args=[prayer_request.pk])
