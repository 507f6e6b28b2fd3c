"""Browser tests in the system Chromium, run on their own: `pytest -m e2e`.

`live_server` flushes every table after each test, Wagtail's root page and default
site included, so each test builds the site it needs inside its own fixture.
"""

import os
import shutil

import pytest

from tests.e2e.backoffice import create_staff_groups
from tests.factories import build_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("VIGIL_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium is required for the browser tests: {CHROMIUM} missing")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def back_office(transactional_db, settings, live_server):
    """(home, news index) of a fresh site with the staff groups, for journeys through the
    back office under production's rule: staff sign in with a second factor."""
    settings.SITE_URL = live_server.url
    settings.STAFF_MFA_REQUIRED = True
    site = build_site()
    create_staff_groups()
    return site
