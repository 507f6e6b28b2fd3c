from django.apps import AppConfig


class PrayerConfig(AppConfig):
    name = "prayer"
    verbose_name = "Prayer"
