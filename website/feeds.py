"""The RSS feed of published stories, linked from every page's head."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed

from website.models import StoryPage

FEED_SIZE = 20


class StoriesFeed(Feed):
    feed_type = Rss201rev2Feed
    link = "/"

    def title(self):
        return f"{settings.WAGTAIL_SITE_NAME}: stories"

    def description(self):
        return "Stories and news from the field."

    def items(self):
        return (
            StoryPage.objects.live().public().order_by("-date", "-first_published_at")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.full_url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_author_name(self, item):
        return item.author or None
