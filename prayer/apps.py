from django.apps import AppConfig

DAILY = 24 * 60


def bind_route_views():
    from prayer import views
    from prayer.models import PrayerWallPage

    PrayerWallPage.route_views.bind(prayed=views.prayed, feed=views.PrayerRequestsFeed)


def prayed_counts(pks):
    from prayer.models import PrayerRequest

    return dict(PrayerRequest.objects.filter(pk__in=pks).values_list("pk", "prayed_count"))


def register_live_counts():
    from core import page_cache

    # The wall's counts are filled in whenever it is served, even from the page cache, so
    # "I prayed" does not throw the wall away (core/page_cache.py; migration 0013).
    page_cache.register_live("prayed", prayed_counts)


def register_demo():
    from core import demo
    from prayer.demo import create_prayer_demo, ensure_pray_page
    from prayer.models import PrayerWallPage

    # Content in this order among the apps' (core/demo.py).
    demo.register("content", create_prayer_demo, order=10)
    demo.register("finish", ensure_pray_page)
    demo.register_page("wall", PrayerWallPage)


def register_consent():
    from django.db.models.signals import pre_delete

    from prayer.consent import (
        delete_consent_records,
        request_edit_url,
        take_down_ended_requests,
    )
    from prayer.models import PrayerRequest
    from website.consent import targets

    # "prayer_request": the query name of PrayerRequest.consent_records, from a record.
    targets.register(
        targets.ConsentTarget("prayer_request", take_down_ended_requests, request_edit_url)
    )
    pre_delete.connect(
        delete_consent_records, sender=PrayerRequest, dispatch_uid="prayer-request-consent"
    )


class PrayerConfig(AppConfig):
    """Prayer requests, their moderation and the prayer wall."""

    name = "prayer"
    verbose_name = "Prayer"

    def ready(self):
        from core import privacy, schedules
        from prayer import privacy as prayer_privacy

        privacy.register(prayer_privacy)
        bind_route_views()
        register_demo()
        register_consent()
        register_live_counts()
        for name, func, minutes in (
            ("notify-prayer-moderators", "prayer.tasks.notify_moderators", 30),
            ("forget-prayer-submitter-contacts", "prayer.tasks.forget_submitter_contacts", DAILY),
        ):
            schedules.register(name, func, minutes)
