from volunteers.models.pages import OpportunityPage, Skill, VolunteerIndexPage
from volunteers.models.people import SafeguardingCheck, Volunteer
from volunteers.models.shifts import (
    CoordinatorSummary,
    Shift,
    ShiftMessage,
    ShiftMessageDelivery,
    SignUp,
)

__all__ = [
    "CoordinatorSummary",
    "OpportunityPage",
    "SafeguardingCheck",
    "Shift",
    "ShiftMessage",
    "ShiftMessageDelivery",
    "SignUp",
    "Skill",
    "Volunteer",
    "VolunteerIndexPage",
]
