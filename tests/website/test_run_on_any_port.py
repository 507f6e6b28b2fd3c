"""`PORT=8101 make run` just works: without SITE_URL, the development site's address is the
one it is served on (HOST and PORT), so emailed links, the admin address printed by
ensure_admin, Wagtail's page links and the host checks all point at the running site."""

import json
import os
import re
import subprocess
import sys
from io import StringIO

import environ
import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

from tests.digests.subscription_helpers import signup_data
from website.models import HomePage
from website.settings.env import served_site_url

RUNNING_SITE = "http://127.0.0.1:8101"
ADDRESS_VARIABLES = ("SITE_URL", "HOST", "PORT", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS")


@pytest.fixture
def environment(monkeypatch):
    """An environ.Env reading only the given address variables."""

    def make(**variables):
        for name in ADDRESS_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return environ.Env()

    return make


@pytest.mark.parametrize(
    ("variables", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"HOST": "localhost", "PORT": "8101"}, "http://localhost:8101"),
        # Listening on every address: this machine reaches it on its loopback address.
        ({"HOST": "0.0.0.0", "PORT": "8101"}, "http://127.0.0.1:8101"),  # noqa: S104
        ({"HOST": "vigil.test", "PORT": "80"}, "http://vigil.test"),
        ({"HOST": "", "PORT": ""}, "http://127.0.0.1:8000"),
        # SITE_URL set: it wins over the address the server listens on (e.g. behind a proxy).
        ({"SITE_URL": "https://vigil.example.org/", "PORT": "8101"}, "https://vigil.example.org"),
    ],
)
def test_the_site_url_is_the_served_address_unless_set(environment, variables, site_url):
    assert served_site_url(environment(**variables)) == site_url


def dev_settings(**variables):
    """The development settings, imported fresh in a process with the given environment."""
    env = {key: value for key, value in os.environ.items() if key not in ADDRESS_VARIABLES}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    names = [
        "SITE_URL",
        "WAGTAILADMIN_BASE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from website.settings import dev as s;"
            f"print(json.dumps({{name: getattr(s, name) for name in {names!r}}}))",
        ],
        cwd=settings.BASE_DIR,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_development_settings_follow_host_and_port():
    served = dev_settings(HOST="127.0.0.1", PORT="8101")

    assert served["SITE_URL"] == RUNNING_SITE
    assert served["WAGTAILADMIN_BASE_URL"] == RUNNING_SITE
    assert served["CSRF_TRUSTED_ORIGINS"] == [RUNNING_SITE]
    assert served["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "http"
    assert "127.0.0.1" in served["ALLOWED_HOSTS"]

    named = dev_settings(HOST="vigil.test", PORT="8101")
    assert named["SITE_URL"] == "http://vigil.test:8101"
    assert "vigil.test" in named["ALLOWED_HOSTS"], "the site answers on the host it is served on"


def test_an_explicit_site_url_wins_over_host_and_port():
    served = dev_settings(HOST="127.0.0.1", PORT="8101", SITE_URL="https://vigil.example.org")

    assert served["SITE_URL"] == "https://vigil.example.org"
    assert served["WAGTAILADMIN_BASE_URL"] == "https://vigil.example.org"
    assert served["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert "vigil.example.org" in served["ALLOWED_HOSTS"]


@pytest.mark.parametrize(
    ("how", "command"),
    [("environment", ["make"]), ("make variable", ["make", "PORT=8101"])],
)
def test_make_passes_host_and_port_to_the_commands_it_runs(how, command):
    """`PORT=8101 make run` and `make run PORT=8101` both reach manage.py's settings."""
    env = {key: value for key, value in os.environ.items() if key not in ADDRESS_VARIABLES}
    if how == "environment":
        env["PORT"] = "8101"
    result = subprocess.run(
        [*command, "-s", "--eval", "show-address: ; @printenv HOST PORT", "show-address"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["127.0.0.1", "8101"]


@pytest.fixture
def on_port_8101(settings, environment):
    """The settings `PORT=8101 make run` gives the commands it runs."""
    settings.SITE_URL = served_site_url(environment(PORT="8101"))
    settings.WAGTAILADMIN_BASE_URL = settings.SITE_URL
    return settings.SITE_URL


@pytest.mark.django_db
def test_ensure_admin_prints_the_address_of_the_running_site(on_port_8101, tmp_path):
    credentials = tmp_path / "admin-credentials.txt"
    out = StringIO()
    call_command("ensure_admin", f"--credentials-file={credentials}", stdout=out)

    assert f"Admin: {RUNNING_SITE}/admin/ — email admin@vigil.localhost" in out.getvalue()
    assert f"url: {RUNNING_SITE}/admin/" in credentials.read_text()

    again = StringIO()
    call_command("ensure_admin", f"--credentials-file={credentials}", stdout=again)
    assert f"Admin: {RUNNING_SITE}/admin/" in again.getvalue()


@pytest.mark.django_db
def test_the_demo_links_pages_and_emails_to_the_running_site(
    on_port_8101, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    call_command("demo_content", "--image-width=64", stdout=StringIO())

    assert Site.objects.get(is_default_site=True).root_url == RUNNING_SITE
    home = HomePage.objects.get()
    assert home.full_url == RUNNING_SITE + "/"

    client = Client(HTTP_HOST="127.0.0.1:8101")
    html = client.get("/").content.decode()
    assert f'<link rel="canonical" href="{RUNNING_SITE}/">' in html
    own = {
        origin
        for origin in re.findall(r"""https?://[^/"'\s]+""", html)
        if "127.0.0.1" in origin or "localhost" in origin
    }
    assert own == {RUNNING_SITE}, "no link leads to another port"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pray/subscribe/", signup_data(email="amos@example.org"))
    assert response.status_code in (200, 302)
    links = re.findall(r"https?://[^\s\"<>]+", mail.outbox[-1].body)
    assert links, "the confirmation email links to the site"
    assert all(
        link.rstrip("/") == RUNNING_SITE or link.startswith(RUNNING_SITE + "/") for link in links
    ), links
