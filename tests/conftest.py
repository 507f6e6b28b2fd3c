import pytest
from django.core.cache import caches

from tests.factories import build_site


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate limits and cached pages must not leak from one test into the next."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def site_pages(db):
    """(home, news index) as the default site's pages."""
    return build_site()
