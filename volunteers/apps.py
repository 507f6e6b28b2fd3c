from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self):
        from volunteers.models import SignUp
        from volunteers.retention import forget_unproven_volunteers
        from website.confirmation import Confirmable, register

        # Pending until the emailed link is followed; website.confirmation forgets them after,
        # then the profiles they leave with nothing.
        register(
            Confirmable(SignUp, SignUp.Status.PENDING_EMAIL, afterwards=forget_unproven_volunteers)
        )
