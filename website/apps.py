from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Website"

    def ready(self):
        from django.db.models.signals import post_migrate

        from website.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
