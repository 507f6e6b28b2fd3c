import os

import pytest
from django.core.cache import caches
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.app_commits import app_commits
from tests.factories import build_site
from tests.reused_db import restore_migration_data, stale_test_databases

# Fuzz tests (tests/fuzzing.py) run a small number of inputs by default, so `make test` stays
# quick, and many on purpose: `make test-full` and CI choose "full" (1,000 inputs per form or
# signed link on PostgreSQL, 200 on SQLite, whose pages answer slower). Pick one with
# `--hypothesis-profile=NAME` or VIGIL_HYPOTHESIS_PROFILE. Inputs are big and slow by design,
# and no example database is written into the tree.
hypothesis_settings.register_profile(
    "full",
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
    "full-sqlite", parent=hypothesis_settings.get_profile("full"), max_examples=200
)
hypothesis_settings.register_profile(
    "quick", parent=hypothesis_settings.get_profile("full"), max_examples=150
)
hypothesis_settings.register_profile(
    "dev", parent=hypothesis_settings.get_profile("full"), max_examples=25
)
PROFILE = os.environ.get("VIGIL_HYPOTHESIS_PROFILE", "dev")
if PROFILE == "full" and connection.vendor == "sqlite":
    PROFILE = "full-sqlite"
hypothesis_settings.load_profile(PROFILE)


def pytest_configure(config):
    """A reused test database whose migrations changed since it was built is built again.
    (Each pytest-xdist worker decides for its own database.)"""
    xdist_controller = getattr(config.option, "numprocesses", None) and not hasattr(
        config, "workerinput"
    )
    if config.getoption("reuse_db", False) and not xdist_controller and stale_test_databases():
        config.option.create_db = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """What migrations created (staff groups, Wagtail's root page ...) is back in a reused
    database even when a transactional test of the last run flushed every table."""
    with django_db_blocker.unblock():
        restore_migration_data()


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Rate limits and cached pages must not leak from one test into the next."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def drawn_pages(settings):
    """For query counts: every GET draws its whole page (neither the page cache nor kept parts),
    so a count measures what drawing costs and fails when a loop starts querying
    (core/page_cache.py, core/kept_parts.py)."""
    settings.PAGE_CACHE = False
    settings.KEPT_PARTS = False


@pytest.fixture
def site_pages(db):
    """(home, news index) as the default site's pages."""
    return build_site()


@pytest.fixture(autouse=True)
def _app_commits(request):
    """on_commit callbacks run when the application's transaction ends (tests/app_commits.py).
    A test marked `on_commit_held` gets Django's own test behaviour: callbacks wait until it
    runs them (django_capture_on_commit_callbacks)."""
    if request.node.get_closest_marker("on_commit_held"):
        yield
        return
    with app_commits():
        yield
