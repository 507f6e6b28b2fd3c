"""Each resource link in the email is tracked per church, then leads to the resource."""

import pytest

from campaigns import links
from campaigns.models import ResourceDownload
from tests.factories import add_resource, open_campaign, register_church

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(campaign, kit):
    return register_church(campaign).registration


def test_a_download_is_counted_and_redirected(client, registration, kit):
    document, video = kit

    first = client.get(links.download_url(registration, document.pk))
    again = client.get(links.download_url(registration, document.pk))
    film = client.get(links.download_url(registration, video.pk))

    assert first.status_code == again.status_code == film.status_code == 302
    assert first["Location"] == document.document.url
    assert film["Location"] == "https://videos.example.org/film"
    counts = dict(ResourceDownload.objects.values_list("resource_id", "count"))
    assert counts == {document.pk: 2, video.pk: 1}


def test_the_document_behind_the_link_is_served(client, registration, kit):
    response = client.get(links.download_url(registration, kit[0].pk), follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_resource_of_another_campaign_is_not_served(client, site_pages, registration):
    other = open_campaign(site_pages[0], title="Another campaign")
    foreign = add_resource(other, "Secret", url="https://example.org/secret")
    response = client.get(links.download_url(registration, foreign.pk))
    assert response.status_code == 404
    assert not ResourceDownload.objects.exists()


def test_tampered_and_revoked_download_links_are_refused(client, registration, kit):
    url = links.download_url(registration, kit[0].pk)
    assert client.get(url[:-4] + "xyz/").status_code == 400
    registration.link_version = 2
    registration.save()
    assert client.get(url).status_code == 404
    assert not ResourceDownload.objects.exists()


def test_posting_to_a_download_link_is_not_allowed(client, registration, kit):
    assert client.post(links.download_url(registration, kit[0].pk)).status_code == 405
