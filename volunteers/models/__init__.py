from volunteers.models.pages import OpportunityPage, Skill, VolunteerIndexPage
from volunteers.models.people import SafeguardingCheck, Volunteer
from volunteers.models.shifts import CoordinatorSummary, Shift, ShiftMessage, SignUp

__all__ = [
    "CoordinatorSummary",
    "OpportunityPage",
    "SafeguardingCheck",
    "Shift",
    "ShiftMessage",
    "SignUp",
    "Skill",
    "Volunteer",
    "VolunteerIndexPage",
]
