"""Back office for sign-ups (the roster export), volunteers (hours served) and their checks."""

from django.db.models import Count, Q
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from volunteers import signups
from volunteers.models import SafeguardingCheck, SignUp, Volunteer
from website.backoffice import NoAddPermissionPolicy, SafeExportIndexView

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
        return (
            super()
            .get_base_queryset()
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


class CheckSavingMixin:
    """Who verified a check is recorded, and sign-ups waiting for it are placed at once."""

    def save_instance(self):
        check = self.form.instance
        if check.verified_on and (not check.pk or "verified_on" in self.form.changed_data):
            check.verified_by = self.request.user
        instance = super().save_instance()
        signups.clearance_changed(instance.volunteer)
        return instance


class CheckCreateView(CheckSavingMixin, CreateView):
    pass


class CheckEditView(CheckSavingMixin, EditView):
    pass


class SafeguardingCheckViewSet(ModelViewSet):
    model = SafeguardingCheck
    icon = "lock"
    menu_label = "Safeguarding checks"
    url_prefix = "volunteers/checks"
    url_namespace = "volunteers_checks"
    add_to_admin_menu = False
    copy_view_enabled = False
    add_view_class = CheckCreateView
    edit_view_class = CheckEditView
    list_display = ["volunteer", "kind", "reference", "verified_on", "expires_on", "verified_by"]
    list_filter = ["kind", "verified_on", "expires_on"]
    search_fields = ["volunteer__name", "volunteer__email", "reference"]
    search_backend_name = None
    form_fields = ["volunteer", "kind", "reference", "verified_on", "expires_on"]
    list_export = ["volunteer.name", "kind", "reference", "verified_on", "expires_on"]
    export_filename = "safeguarding-checks"
