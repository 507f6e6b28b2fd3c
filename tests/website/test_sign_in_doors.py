"""The sign-in doors that came with Wagtail lead to allauth.

Wagtail serves its own front-end login (linked from private pages and documents) and its own
password reset; both would sign staff in or reset their password without allauth's rate
limits, verified addresses or second factor.
"""

import pytest
from django.core import mail
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from tests.factories import UserFactory, add_story

pytestmark = pytest.mark.django_db


def test_wagtails_front_end_login_is_allauths(client):
    response = client.get("/_util/login/?next=/stories/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/stories/"


def test_a_private_page_sends_visitors_to_allauths_sign_in(client, site_pages):
    _home, news = site_pages
    story = add_story(news, title="For the prayer team")
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(story.url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={story.url}"


def test_a_private_document_sends_visitors_to_allauths_sign_in(client):
    collection = Collection.get_first_root_node().add_child(name="Prayer team")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = Document.objects.create(title="Rota", collection=collection, file="rota.txt")

    response = client.get(document.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/documents/")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/set-password/",
        "/admin/password_reset/complete/",
    ],
)
def test_wagtails_password_reset_is_closed_and_points_to_allauths(client, path):
    staff = UserFactory(is_staff=True, is_superuser=True)

    page = client.get(path)
    sent = client.post(path, {"email": staff.email})

    assert page.status_code == sent.status_code == 302
    assert page["Location"] == "/accounts/password/reset/"
    assert mail.outbox == []


def test_the_back_office_has_no_password_form_of_its_own(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/account/")

    assert response.status_code == 200
    assert b"new_password1" not in response.content
