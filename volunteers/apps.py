from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self):
        from volunteers.messages import ShiftMessageKind
        from website import outbox

        outbox.register(ShiftMessageKind())
