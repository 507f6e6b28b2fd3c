import pytest
from django.core.cache import caches
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import build_site

# Fuzz tests (tests/fuzzing.py): 1,000 inputs per form or signed link is the CI number
# (about 10 minutes a database on two cores); `--hypothesis-profile=quick` runs 150 (about 90
# seconds) and `--hypothesis-profile=dev` 25. Inputs are big and slow by design, and no
# example database is written into the tree.
hypothesis_settings.register_profile(
    "ci",
    max_examples=1000,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
hypothesis_settings.register_profile(
    "quick", parent=hypothesis_settings.get_profile("ci"), max_examples=150
)
hypothesis_settings.register_profile(
    "dev", parent=hypothesis_settings.get_profile("ci"), max_examples=25
)
hypothesis_settings.load_profile("ci")


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
