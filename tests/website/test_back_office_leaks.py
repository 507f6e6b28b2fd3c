"""No back-office door shows restricted prayer text to a staff group that may not see prayer
requests (issue 12, point 7).

Canaries: an unmoderated request (its title, text and restricted text), the restricted text
of an approved request (for vetted subscribers only), and a digest issue that carried it,
with a consent record and an audit log entry naming the unmoderated one. Signed in as a
member of each group without prayer permissions, the crawl opens every URL the Wagtail admin
mounts, read from the URL resolver rather than from a list, so that a door added later (a
snippet, a viewset, a report, a Wagtail upgrade) is crawled without a line here: every
chooser with its results/, chosen/ and chosen-multiple/ views, the admin API, page search and
every listing's search, bulk actions, reports, history and usage views. Path parameters are
filled with the canaries' ids, `?id=` carries them to bulk actions and chosen-multiple/, and
searches ask for the canary's first word. The second word appears only where the planted text
itself is shown, so a page that repeats the query back is no leak.

As a control, the same URLs opened by a prayer moderator show the canary at the prayer
request chooser and listing, so a crawl that reaches nothing cannot pass.
"""

import re
import secrets

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLResolver, get_resolver
from wagtail.log_actions import log

from digests.models import DigestIssue
from prayer.models import PrayerRequest
from tests.factories import UserFactory, add_consent
from tests.prayer.request_helpers import make_request

pytestmark = [pytest.mark.django_db]

GROUPS_WITHOUT_PRAYER = ["Editors", "Volunteer coordinators", "Campaign coordinators"]

# Doors not crawled: signing out would end the crawl, and Wagtail's error-page test raises on
# purpose.
SKIPPED = ("admin/logout/", "admin/failwhale/")
# Wagtail 8.0's page chooser answers 500 when the ids asked for include the tree's root page
# (it reads the root's parent). Staff-only and not a leak; noted in issue 12's report.
KNOWN_SERVER_ERRORS = {"/admin/choose-page/chosen-multiple/"}

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_LEFT = re.compile(r"[*()\[\]\\?+|]")
TREE_PARAMETERS = {"page_id", "parent_page_id", "page_pk", "page_to_move_id", "destination_id"}
MODEL_PARAMETERS = {
    "app_label": "prayer",
    "app_name": "prayer",
    "content_type_app_name": "prayer",
    "model_name": "prayerrequest",
    "content_type_model_name": "prayerrequest",
    "action": "delete",
    "action_name": "delete",
    "filter_spec": "original",
}


def admin_patterns(resolver=None, prefix=""):
    """Every route under /admin/, as a path with <parameters>."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from admin_patterns(entry, route)
        elif route.startswith("admin/") and not route.startswith(SKIPPED):
            yield route


def admin_urls(ids, home_id):
    """Each admin route with its parameters filled in, once for each canary id."""
    urls = set()
    for route in admin_patterns():
        if REGEX_LEFT.search(PARAMETER.sub("", route)):
            continue  # a catch-all such as Wagtail's "^.*/$" 404 route
        for pk in ids:

            def fill(match, pk=pk):
                name = match.group(1)
                if name in TREE_PARAMETERS:
                    return str(home_id)
                return MODEL_PARAMETERS.get(name, str(pk))

            urls.add("/" + PARAMETER.sub(fill, route))
    return sorted(urls)


class Canary:
    def __init__(self):
        self.query = f"zq{secrets.token_hex(5)}"
        self.secrets = [f"zq{secrets.token_hex(5)}", f"zq{secrets.token_hex(5)}"]


@pytest.fixture
def planted(site_pages):
    """The canaries, and the ids that fill the admin's URLs."""
    home, _ = site_pages
    canary = Canary()
    hidden, vetted = canary.secrets
    unmoderated = make_request(
        f"{canary.query} {hidden}",
        status=PrayerRequest.Status.SUBMITTED,
        public_text=f"{canary.query} {hidden} text",
        restricted_text=f"{canary.query} {hidden} restricted",
        submitter_name="A submitter",
    )
    approved = make_request(
        "Pray for the night shelter",
        public_text=f"Pray for the night shelter ({canary.query})",
        restricted_text=f"{canary.query} {vetted}: the shelter's street",
    )
    issue = DigestIssue.objects.create(
        content_key="k",
        subject=f"Prayer digest {canary.query}",
        body_text=f"{approved.title}\n{approved.restricted_text}",
        body_html=f"<p>{approved.restricted_text}</p>",
        browser_html=f"<p>{approved.title}</p>",
        includes_restricted=True,
        request_ids=[approved.pk, unmoderated.pk],
    )
    consent = add_consent(unmoderated)
    moderator = UserFactory(is_staff=False)
    moderator.groups.add(Group.objects.get(name="Prayer moderators"))
    log(unmoderated, "wagtail.edit", user=moderator, title=unmoderated.title)
    ids = sorted({unmoderated.pk, approved.pk, issue.pk, consent.pk})
    return canary, ids, home.pk, unmoderated


def signed_in_member_of(group):
    client = Client(raise_request_exception=False)
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client, user


def crawl(client, urls, canary, ids):
    """(urls whose body shows a canary's planted text, urls that answered 5xx, count of 200s)"""
    shown, errors, ok = [], [], 0
    for url in urls:
        query = {"search": canary.query} if "/api/" in url else {"q": canary.query, "id": ids}
        response = client.get(url, query)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if any(secret.encode() in body for secret in canary.secrets):
            shown.append(f"{response.status_code} {url}")
        if response.status_code >= 500:
            errors.append(url)
        ok += response.status_code == 200
    return shown, errors, ok


@pytest.mark.parametrize("group", GROUPS_WITHOUT_PRAYER)
def test_no_admin_door_shows_restricted_prayer_text_to_a_group_without_prayer_permissions(
    group, planted
):
    canary, ids, home_id, _ = planted
    client, user = signed_in_member_of(group)
    assert not user.has_perm("prayer.view_prayerrequest")
    assert not user.has_perm("prayer.change_prayerrequest")
    urls = admin_urls(ids, home_id)

    shown, errors, ok = crawl(client, urls, canary, ids)

    assert shown == [], f"{group} was shown restricted prayer text at {shown}"
    assert set(errors) <= KNOWN_SERVER_ERRORS, errors
    # The crawl went through the doors, signed in all along.
    assert len(urls) > 300
    assert ok > 40
    assert client.get("/admin/").status_code == 200


def test_the_crawl_finds_the_canary_where_a_prayer_moderator_may_see_it(planted):
    canary, ids, home_id, unmoderated = planted
    client, _ = signed_in_member_of("Prayer moderators")
    urls = [url for url in admin_urls(ids, home_id) if "prayerrequest" in url]

    shown, _, _ = crawl(client, urls, canary, ids)

    shown_urls = {entry.split(" ", 1)[1] for entry in shown}
    assert {
        "/admin/snippets/choose/prayer/prayerrequest/",
        "/admin/snippets/choose/prayer/prayerrequest/results/",
        f"/admin/snippets/choose/prayer/prayerrequest/chosen/{unmoderated.pk}/",
        "/admin/snippets/choose/prayer/prayerrequest/chosen-multiple/",
        "/admin/snippets/prayer/prayerrequest/",
        "/admin/snippets/prayer/prayerrequest/results/",
        f"/admin/snippets/prayer/prayerrequest/edit/{unmoderated.pk}/",
        "/admin/bulk/prayer/prayerrequest/delete/",
    } <= shown_urls
