from django.apps import AppConfig


class PrayerConfig(AppConfig):
    name = "prayer"
    verbose_name = "Prayer"

    def ready(self):
        from prayer.messages import VigilMessageKind
        from website import outbox

        outbox.register(VigilMessageKind())
