"""The back office tells no other site who the staff are.

Wagtail shows a staff member without an uploaded picture the one gravatar.com has for a
hash of their email address: every back-office page would send that hash, with the staff
member's IP address, to a third party. (Found by the browser journeys: tests/e2e.)
"""

import hashlib

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]


@pytest.mark.parametrize("url", ["/admin/", "/admin/account/", "/admin/pages/"])
def test_back_office_pages_show_no_avatar_from_another_site(client, url):
    editor = UserFactory(email="Grace.Editor@example.org")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    html = client.get(url).content.decode()

    email_hash = hashlib.md5(editor.email.lower().encode()).hexdigest()  # noqa: S324
    assert email_hash not in html
    assert "gravatar.com/avatar" not in html
