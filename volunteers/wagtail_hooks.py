"""The Volunteers menu of the back office: shifts, sign-ups, volunteers and their checks; and
the skills opportunities ask for (a snippet)."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.models import register_snippet

from core.backoffice import PermissionCheckedSnippetViewSet
from volunteers import dashboard  # noqa: F401  (registers hooks)
from volunteers.backoffice.people import SafeguardingCheckViewSet, SignUpViewSet, VolunteerViewSet
from volunteers.backoffice.shifts import ShiftViewSet
from volunteers.models import Skill


class VolunteersGroup(ViewSetGroup):
    menu_label = "Volunteers"
    menu_icon = "group"
    menu_order = 210
    items = (
        ShiftViewSet("volunteers_shifts"),
        SignUpViewSet("volunteers_signups"),
        VolunteerViewSet("volunteers_people"),
        SafeguardingCheckViewSet("volunteers_checks"),
    )


@hooks.register("register_admin_viewset")
def register_volunteers_group():
    return VolunteersGroup()


class SkillViewSet(PermissionCheckedSnippetViewSet):
    model = Skill


register_snippet(SkillViewSet)


@hooks.register("before_delete_page")
def keep_opportunities_with_signups(request, page):
    """Deleting an opportunity (or a page above one) would delete its shifts' sign-ups."""
    from django.shortcuts import redirect
    from wagtail.admin import messages

    from volunteers.models import SignUp

    if SignUp.objects.filter(shift__opportunity__path__startswith=page.path).exists():
        messages.error(
            request,
            f"“{page.title}” has volunteer shifts with sign-ups, so it cannot be deleted. "
            "Unpublish it instead, or cancel its shifts first.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
