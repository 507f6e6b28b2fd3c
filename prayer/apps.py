from django.apps import AppConfig


class PrayerConfig(AppConfig):
    name = "prayer"
    verbose_name = "Prayer"

    def ready(self):
        from prayer.digests.sending import DigestKind
        from prayer.messages import VigilMessageKind
        from website import outbox

        outbox.register(DigestKind())
        outbox.register(VigilMessageKind())
