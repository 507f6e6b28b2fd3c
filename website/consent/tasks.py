"""What the task cluster runs for consent: every few minutes, and at once after a withdrawal."""

from core.tasks import enqueue
from website.consent.notify import notify_staff_of_take_downs
from website.consent.takedown import take_down_ended_content

TASK = "website.consent.tasks.take_down_ended_consent"


def take_down_ended_consent():
    """Take down what lost its consent, then tell the staff. Safe to run any number of times."""
    taken_down = take_down_ended_content()
    notify_staff_of_take_downs()
    return taken_down


def take_down_soon():
    """Queue a run once the current transaction commits (a withdrawal was just recorded)."""
    enqueue(TASK, task_name="consent:take-down")
