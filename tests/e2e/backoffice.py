"""What the back-office journeys share: the staff groups as the migrations grant them, a
staff member with an authenticator app, signing in through allauth's own pages, and a
watch on the browser for script errors, server errors and requests to other sites."""

import functools
import inspect
import sys
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from tests.factories import PASSWORD, UserFactory
from tests.signin import totp_code, with_totp

TOTP_STEP_SECONDS = 30
LOCAL_HOSTS = {"localhost", "127.0.0.1"}

# Vigil's own apps: their data migrations create the staff groups and grant permissions.
# (Wagtail's own data migrations make the root page and collection: build_site does that.)
VIGIL_APPS = ("website", "prayer", "digests", "vigils", "volunteers", "campaigns")


def create_staff_groups():
    """Run Vigil's data migrations again, in migration order, each on its own models.

    `live_server` flushes every table after a test, so the groups the migrations made are
    gone for the next one. Replaying the migrations themselves keeps one definition of who
    may do what. They use get_or_create throughout, so a replay on a fresh database (the
    first test of a run) changes nothing. Needs the root page and collection (build_site).
    """
    # What a RunPython may ask of the schema editor: which database it runs on.
    editor = SimpleNamespace(connection=connection)
    for code, state_apps in data_migrations():
        code(state_apps, editor)


def grants_permissions(code):
    """A data migration about who may do what: it uses auth's groups or permissions (the
    staff groups, their grants, and the content types that moved app with their grants).
    Migrations that fix existing rows (phone numbers, sends, consent links) have nothing to do
    on a fresh database and may name columns that are gone since."""
    source = inspect.getsource(sys.modules[code.__module__])
    return 'get_model("auth"' in source or "relabel_content_types" in source


@functools.cache
def data_migrations():
    """(RunPython code, the models as they were when it ran) for each of Vigil's migrations
    that grant permissions, in order: a migration written before a model changed app
    (prayer's vigils, now the vigils app's) finds it where it was then, as `migrate` gives
    it. Built once."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    leaves = [node for node in graph.leaf_nodes() if node[0] in VIGIL_APPS]
    steps = []
    seen = set()
    for leaf in leaves:
        for key in graph.forwards_plan(leaf):
            if key in seen or key[0] not in VIGIL_APPS:
                continue
            seen.add(key)
            codes = [
                operation.code
                for operation in graph.nodes[key].operations
                if isinstance(operation, RunPython) and grants_permissions(operation.code)
            ]
            if codes:
                state_apps = loader.project_state(key, at_end=True).apps
                steps += [(code, state_apps) for code in codes]
    return steps


def staff_member(group, email):
    """A member of one staff group (and nothing more), with an authenticator app.

    Returns (user, the app's secret), so the test can read the app's current code.
    """
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group))
    return user, with_totp(user)


def sign_in(page, base_url, user, secret, path="/admin/"):
    """Open `path`, which sends a signed-out visitor to the sign-in page; sign in with the
    password and then the authenticator code, as a person types them; land on `path`."""
    page.goto(base_url + path)
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(code_from_the_app(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(base_url + path)


def code_from_the_app(secret):
    """The app's code, read as a person does: not in the last seconds of its 30-second step,
    when it would expire on the way (allauth accepts the current step only)."""
    left = TOTP_STEP_SECONDS - time.time() % TOTP_STEP_SECONDS
    if left < 5:
        time.sleep(left + 0.1)
    return totp_code(secret)


def watch(page, problems=None):
    """What a person would notice or a log would show, collected as it happens: console
    errors, uncaught script errors, answers of 500 or more, and any request to another
    site (the server runs on localhost: nothing about staff or visitors may leave it).

    Returns the list it appends to: `problems`, to watch several pages in one list.
    """
    problems = [] if problems is None else problems

    def on_console(message):
        if message.type == "error":
            problems.append(f"console on {page.url}: {message.text} {message.location}")

    def on_request(request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https") and url.hostname not in LOCAL_HOSTS:
            problems.append(f"another site asked from {page.url}: {request.url}")

    def on_response(response):
        if response.status >= 500:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script on {page.url}: {error}"))
    page.on("request", on_request)
    page.on("response", on_response)
    return problems
