"""Back office for sign-ups (the roster export), volunteers (hours served) and their checks."""

from django.db.models import Count, Q
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.backoffice import (
    AnonymousLogCreateView,
    AnonymousLogDeleteView,
    AnonymousLogEditView,
    NoAddPermissionPolicy,
    SafeExportIndexView,
    log_title,
)
from volunteers import signups
from volunteers.models import SafeguardingCheck, SignUp, Volunteer

CLEARANCE_ACTION = "vigil.volunteers.clearance"

register_permission_policy(SignUp, NoAddPermissionPolicy(SignUp))


class SignUpIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("volunteer", "shift__opportunity")


class SignUpViewSet(ModelViewSet):
    model = SignUp
    icon = "user"
    menu_label = "Sign-ups"
    url_prefix = "volunteers/signups"
    url_namespace = "volunteers_signups"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SignUpIndexView
    # Log entries name records by number: a volunteer's name must not outlive their profile.
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = ["volunteer", "shift", "status", "attendance", "created_at"]
    list_filter = ["status", "attendance", "shift"]
    search_fields = ["volunteer__name", "volunteer__email"]
    search_backend_name = None
    ordering = ["-created_at"]
    form_fields = ["attendance", "hours"]
    list_export = [
        "volunteer.name",
        "volunteer.email",
        "volunteer.phone",
        "shift.opportunity.title",
        "shift.local_label",
        "status",
        "waitlisted_at",
        "attendance",
        "hours_served",
        "created_at",
    ]
    export_headings = {
        "volunteer.name": "Name",
        "volunteer.email": "Email",
        "volunteer.phone": "Phone",
        "shift.opportunity.title": "Opportunity",
        "shift.local_label": "Shift",
        "waitlisted_at": "Waitlisted at",
        "hours_served": "Hours",
        "created_at": "Signed up",
    }
    export_filename = "volunteer-roster"


class VolunteerIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        attended = Q(signups__attendance=SignUp.Attendance.ATTENDED)
        # A profile nobody has proven holds no details, only an address someone typed: it is
        # not a volunteer yet (its sign-ups show under Sign-ups, waiting for confirmation).
        return (
            super()
            .get_base_queryset()
            .not_anonymised()
            .proven()
            .with_hours()
            .annotate(
                shifts_attended=Count("signups", filter=attended),
                no_shows=Count("signups", filter=Q(signups__attendance=SignUp.Attendance.NO_SHOW)),
            )
        )


class VolunteerViewSet(ModelViewSet):
    model = Volunteer
    icon = "group"
    menu_label = "Volunteers"
    url_prefix = "volunteers/people"
    url_namespace = "volunteers_people"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = VolunteerIndexView
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = [
        "name",
        "email",
        "phone",
        Column("shifts_attended", label="Shifts attended"),
        Column("hours_served", label="Hours served"),
        Column("no_shows", label="No-shows"),
    ]
    search_fields = ["name", "email", "phone"]
    search_backend_name = None
    form_fields = ["name", "phone", "notes", "link_version", "feed_version"]
    list_export = [
        "name",
        "email",
        "phone",
        "shifts_attended",
        "hours_served",
        "no_shows",
        "created_at",
    ]
    export_headings = {"hours_served": "Hours served", "created_at": "First signed up"}
    export_filename = "volunteer-hours"


@hooks.register("register_log_actions")
def register_clearance_log_action(actions):
    actions.register_action(CLEARANCE_ACTION, "Clearance", "Safeguarding check verified")


class CheckSavingMixin:
    """Who verified a check is recorded (and logged under the check's number, never the
    volunteer's name), and sign-ups waiting for it are placed at once."""

    def save_instance(self):
        check = self.form.instance
        verifying = check.verified_on and (not check.pk or "verified_on" in self.form.changed_data)
        if verifying:
            check.verified_by = self.request.user
        instance = super().save_instance()
        if verifying:
            log(
                instance,
                CLEARANCE_ACTION,
                user=self.request.user,
                title=log_title(instance),
                data={
                    "kind": instance.kind,
                    "verified_on": instance.verified_on,
                    "expires_on": instance.expires_on,
                },
            )
        signups.clearance_changed(instance.volunteer)
        return instance


class CheckCreateView(CheckSavingMixin, AnonymousLogCreateView):
    pass


class CheckEditView(CheckSavingMixin, AnonymousLogEditView):
    pass


class SafeguardingCheckViewSet(ModelViewSet):
    model = SafeguardingCheck
    icon = "lock"
    menu_label = "Safeguarding checks"
    url_prefix = "volunteers/checks"
    url_namespace = "volunteers_checks"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    add_view_class = CheckCreateView
    edit_view_class = CheckEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = ["volunteer", "kind", "reference", "verified_on", "expires_on", "verified_by"]
    list_filter = ["kind", "verified_on", "expires_on"]
    search_fields = ["volunteer__name", "volunteer__email", "reference"]
    search_backend_name = None
    form_fields = ["volunteer", "kind", "reference", "verified_on", "expires_on"]
    list_export = ["volunteer.name", "kind", "reference", "verified_on", "expires_on"]
    export_filename = "safeguarding-checks"
