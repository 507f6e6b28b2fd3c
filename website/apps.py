from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Website"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from website import webhooks  # noqa: F401  (connects anymail's tracking signal)
        from website.caching import forget_menus, forget_menus_for_pages
        from website.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(forget_menus, dispatch_uid=f"forget-menus-{signal}")
        post_delete.connect(forget_menus_for_pages, dispatch_uid="forget-menus-on-delete")
