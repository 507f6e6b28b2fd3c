from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Infrastructure every app builds on; it knows no app (apps register with it instead)."""

    name = "core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core import checks
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from core import (
            outbound_privacy,
            privacy,
            schedules,
            second_factor,  # noqa: F401  (enrolling passes the factor)
            webhooks,  # noqa: F401  (connects anymail's tracking signal)
        )
        from core.caching import forget_menus, forget_menus_for_pages, forget_sites
        from core.page_privacy import forget_restrictions
        from core.sites import align_default_site_after_migrate, check_site_url

        schedules.register("task-heartbeat", "core.tasks.record_heartbeat", 1)
        schedules.register("publish-scheduled-pages", "core.tasks.publish_scheduled_pages", 5)
        # Every kind of bulk message: batches left by a dead worker, or due for a retry.
        schedules.register("resume-outbox-sends", "core.outbox.resume_open_sends", 5)
        # Every kind of row pending until its emailed link is followed (core.confirmation).
        schedules.register("purge-unconfirmed", "core.confirmation.purge_unconfirmed", 24 * 60)
        schedules.register("forget-webhook-receipts", "core.webhooks.forget_old_receipts", 24 * 60)
        # Single emails that are done, with the addresses and context they held.
        schedules.register(
            "forget-sent-emails", "core.outbound_privacy.forget_sent_emails", 24 * 60
        )
        # The single emails queued or sent to a person (export, account deletion).
        privacy.register(outbound_privacy)
        schedules.register("clear-expired-sessions", "core.tasks.clear_expired_sessions", 24 * 60)
        post_migrate.connect(schedules.ensure_schedules, sender=self)
        # One hostname: the default Wagtail Site follows SITE_URL (core/sites.py).
        post_migrate.connect(align_default_site_after_migrate, sender=self)
        checks.register(check_site_url)
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(forget_menus, dispatch_uid=f"forget-menus-{signal}")
        post_delete.connect(forget_menus_for_pages, dispatch_uid="forget-menus-on-delete")
        # A request's list of view restrictions (core/page_privacy.py) is read again after
        # a restriction changes.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_restrictions,
                sender=PageViewRestriction,
                dispatch_uid=f"forget-view-restrictions-{signal}",
            )
        # The cached list of Sites (core/caching.py) follows every change to a Site.
        for signal in (post_save, post_delete):
            signal.connect(forget_sites, sender=Site, dispatch_uid=f"forget-sites-{signal}")
