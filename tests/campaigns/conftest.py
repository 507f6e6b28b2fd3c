import pytest

from tests.factories import add_resource, open_campaign


@pytest.fixture
def campaign(site_pages):
    home, _news = site_pages
    return open_campaign(home)


@pytest.fixture
def kit(campaign):
    """A document and a video link in the campaign's resource kit."""
    return [
        add_resource(campaign, "Sermon outline", sort_order=0),
        add_resource(campaign, "Short film", url="https://videos.example.org/film", sort_order=1),
    ]


def register_url(campaign):
    return campaign.url + campaign.reverse_subpage("register")
