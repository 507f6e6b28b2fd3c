"""Back office for shifts: fill rate and waitlist, a printable roster with attendance, a
message to everyone on a shift, and deletion refused while anyone is signed up."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from core.backoffice import AuditedExportMixin
from volunteers import coordination, signups
from volunteers.backoffice.forms import ShiftForm
from volunteers.forms import MessageShiftForm
from volunteers.models import Shift, SignUp

Status = SignUp.Status


class ShiftIndexView(AuditedExportMixin, IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("opportunity")
            .annotate(
                waitlist_length=Count("signups", filter=Q(signups__status=Status.WAITLISTED)),
                pending_clearance=Count(
                    "signups", filter=Q(signups__status=Status.PENDING_CLEARANCE)
                ),
            )
        )

    def get_list_buttons(self, instance):
        buttons = list(super().get_list_buttons(instance))
        buttons.append(
            ListingButton("Roster", url=reverse("volunteers_shifts:roster", args=[instance.pk]))
        )
        return buttons


class ShiftEditView(EditView):
    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        self.before = coordination.snapshot(instance)
        return instance

    def save_instance(self):
        instance = super().save_instance()
        coordination.shift_saved(instance, self.before)
        return instance


class ShiftDeleteView(DeleteView):
    """A shift people signed up for is kept: cancel it instead, so they are told."""

    def dispatch(self, request, *args, **kwargs):
        if self.object.signups.exists():
            messages.error(
                request,
                f"“{self.object}” has sign-ups, so it cannot be deleted. Set its status to "
                "“Cancelled” instead: everyone on it is told by email.",
            )
            return redirect(reverse("volunteers_shifts:edit", args=[self.object.pk]))
        return super().dispatch(request, *args, **kwargs)


def fill_rate(shift):
    percent = round(100 * shift.confirmed_count / shift.capacity) if shift.capacity else 0
    return f"{shift.confirmed_count}/{shift.capacity} ({percent}%)"


class ShiftViewSet(ModelViewSet):
    model = Shift
    icon = "date"
    menu_label = "Shifts"
    url_prefix = "volunteers/shifts"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = ShiftIndexView
    edit_view_class = ShiftEditView
    delete_view_class = ShiftDeleteView
    list_display = [
        "opportunity",
        Column("local_label", label="When"),
        Column("fill", label="Filled", accessor=fill_rate),
        Column("waitlist_length", label="Waitlist"),
        Column("pending_clearance", label="Pending clearance"),
        "status",
    ]
    list_filter = ["status", "opportunity"]
    search_fields = ["opportunity__title", "notes"]
    search_backend_name = None
    ordering = ["starts_at"]
    list_export = [
        "id",
        "opportunity",
        "local_label",
        "capacity",
        "confirmed_count",
        "waitlist_length",
        "pending_clearance",
        "status",
    ]
    export_headings = {"local_label": "When", "confirmed_count": "Confirmed"}
    export_filename = "volunteer-shifts"

    def get_form_class(self, for_update=False):
        return ShiftForm

    def roster_view(self, request, pk):
        return roster(request, pk, self)

    def message_view(self, request, pk):
        return message_shift(request, pk, self)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/roster/", self.roster_view, name="roster"),
            path("<int:pk>/message/", self.message_view, name="message"),
        ]


def require(viewset, request, action):
    if not viewset.permission_policy.user_has_permission(request.user, action):
        raise PermissionDenied


def roster(request, pk, viewset):
    """The printable roster of a shift, where coordinators also record attendance."""
    require(viewset, request, "view")
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    rows = list(
        SignUp.objects.holding_place()
        .filter(shift=shift)
        .select_related("volunteer")
        .order_by("status", "waitlisted_at", "volunteer__name")
    )
    if request.method == "POST":
        require(viewset, request, "change")
        action = request.POST.get("action")
        if action == "attendance":
            save_attendance(request, rows)
        elif action == "cancel":
            cancel_signup(request, shift, rows)
        return redirect(reverse("volunteers_shifts:roster", args=[shift.pk]))
    confirmed = [row for row in rows if row.status == Status.CONFIRMED]
    waitlist = [row for row in rows if row.status == Status.WAITLISTED]
    pending = [row for row in rows if row.status == Status.PENDING_CLEARANCE]
    signups_index = reverse("volunteers_signups:index")
    return render(
        request,
        "volunteers/admin/roster.html",
        {
            "shift": shift,
            "confirmed": confirmed,
            "waitlist": waitlist,
            "pending": pending,
            "attendance_choices": SignUp.Attendance.choices,
            "started": shift.has_started(),
            "export_csv": f"{signups_index}?shift={shift.pk}&export=csv",
            "export_xlsx": f"{signups_index}?shift={shift.pk}&export=xlsx",
            "edit_url": reverse("volunteers_shifts:edit", args=[shift.pk]),
            "message_url": reverse("volunteers_shifts:message", args=[shift.pk]),
            "can_change": viewset.permission_policy.user_has_permission(request.user, "change"),
        },
    )


def save_attendance(request, rows):
    problems = []
    for signup in rows:
        if signup.status != Status.CONFIRMED:
            continue
        attendance = request.POST.get(f"attendance-{signup.pk}", "")
        if attendance not in SignUp.Attendance.values:
            problems.append(signup.volunteer.name)
            continue
        raw_hours = (request.POST.get(f"hours-{signup.pk}") or "").strip()[:10]
        hours = None
        if raw_hours:
            try:
                hours = Decimal(raw_hours)
            except InvalidOperation:
                hours = Decimal(-1)
            if not Decimal(0) <= hours <= Decimal(168):
                problems.append(signup.volunteer.name)
                continue
        coordination.record_attendance(signup, attendance, hours)
    if problems:
        messages.error(
            request,
            "Not saved for: " + ", ".join(problems) + ". Hours must be a number from 0 to 168.",
        )
    else:
        messages.success(request, "Attendance saved.")


def cancel_signup(request, shift, rows):
    wanted = request.POST.get("signup", "")
    signup = next((row for row in rows if str(row.pk) == wanted), None)
    if signup is None:
        messages.error(request, "That sign-up is no longer on the roster.")
        return
    signups.cancel(signup.pk, by=SignUp.CancelledBy.COORDINATOR)
    messages.success(request, f"{signup.volunteer.name}'s sign-up is cancelled; they were told.")


def message_shift(request, pk, viewset):
    require(viewset, request, "change")
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    form = MessageShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = coordination.message_shift(
            shift,
            form.cleaned_data["subject"],
            form.cleaned_data["body"],
            request.user,
            include_waitlist=form.cleaned_data["include_waitlist"],
        )
        messages.success(request, f"“{message.subject}” is being sent to the volunteers.")
        return redirect(reverse("volunteers_shifts:roster", args=[shift.pk]))
    recipients = SignUp.objects.filter(shift=shift, status=Status.CONFIRMED).count()
    return render(
        request,
        "volunteers/admin/message.html",
        {"shift": shift, "form": form, "recipients": recipients, "sent": shift.messages.all()[:10]},
        status=400 if form.errors else 200,
    )
