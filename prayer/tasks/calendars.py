"""Prayer calendar tasks: the 15-minute run that sends each day's entry.

Idempotent: a second run finds nothing left to send.
"""

from prayer import calendars


def send_due_calendar_entries():
    return calendars.send_due_entries()
