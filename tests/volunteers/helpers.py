"""Shared helpers for the volunteer tests."""

import re

from django.core import mail

from tests.factories import guarded

LINK = re.compile(r"https?://[^\s\"<>]+")


def form_data(**fields):
    data = {
        "name": "Priya D'Souza",
        "email": "priya@example.org",
        "phone": "+91 98765 43210",
        "age_confirmed": "on",
        "code_of_conduct": "on",
    }
    data.update(fields)
    return guarded(data)


def link_in(message, part):
    return next(link for link in LINK.findall(message.body) if part in link)


def path_of(url):
    return url.replace("http://testserver", "")


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def sign_up_by_form(client, shift, **fields):
    """Post the public form and follow the emailed link: returns the confirm response."""
    data = form_data(**fields)
    response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/", data)
    assert response.status_code == 302, response.content[:2000]
    confirm = link_in(emails_to(data["email"].lower())[-1], "/volunteer/confirm/")
    return client.post(path_of(confirm))
