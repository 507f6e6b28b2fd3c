"""Every page of the demo site, and every page its emails lead to, is valid HTML whose forms a
person with a screen reader can fill in.

The demo is built once for the class; `visit_demo` crawls it as a visitor, sends its sign-up
forms (empty and filled in), follows the links in the emails that sends and presses their
"Confirm" buttons. The Nu HTML Checker then reads all pages in one run.
"""

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from core.formguard import HONEYPOT_FIELD, STAMP_FIELD
from tests.html_pages import label_problems, parse
from tests.nu_checker import check_html_files
from tests.website.demo_visit import visit_demo

# A visit that reached fewer pages than this went wrong (a broken crawler checks nothing).
MIN_PAGES = 60
FORM_PAGES = ("/pray/subscribe/", "/accounts/signup/")
EMAILED_PAGES = (
    "/pray/confirm/",
    "/pray/preferences/",
    "/pray/calendars/confirm/",
    "/pray/vigils/confirm/",
    "/pray/vigils/my-slots/",
    "/volunteer/confirm/",
    "/volunteer/my/",
    "/church/registration/",
    "/accounts/confirm-email/",
    "unsubscribe",
)


@pytest.fixture(scope="class")
def demo_pages(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        # Small pictures are quick to draw, and narrower than every srcset width: the srcset
        # must still be valid (website/templatetags/consented_images.py).
        call_command("demo_content", image_width=64, stdout=StringIO())
        yield visit_demo(Client())
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoPages:
    def test_the_visit_reaches_pages_forms_and_emails(self, demo_pages):
        assert len(demo_pages) >= MIN_PAGES
        for path in FORM_PAGES:
            assert f"GET {path}" in demo_pages
        posts = [request for request in demo_pages if request.startswith("POST")]
        assert any("(empty)" in request for request in posts)
        assert any("(confirm)" in request for request in posts), "no emailed link was confirmed"
        assert any("(unsubscribe)" in request for request in posts), "nobody unsubscribed"
        # Pages only an emailed link opens: confirmations, preferences, managing a sign-up,
        # unsubscribing.
        for part in EMAILED_PAGES:
            assert any(part in request for request in demo_pages), (part, sorted(demo_pages))

    def test_the_nu_html_checker_finds_no_errors(self, demo_pages, tmp_path):
        files = {}
        for number, (request, html) in enumerate(sorted(demo_pages.items())):
            path = tmp_path / f"page-{number:04d}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = request
        errors = defaultdict(list)
        for message in check_html_files(list(tmp_path.glob("*.html"))):
            where = files.get(message.get("url", "?").rsplit("/", 1)[-1], message.get("url", "?"))
            extract = " ".join(message.get("extract", "").split())[:120]
            errors[where].append(
                f"line {message.get('lastLine')}: {message['message']} [{extract}]"
            )
        report = "\n".join(
            f"{request}\n  " + "\n  ".join(found) for request, found in sorted(errors.items())
        )
        assert not errors, f"The Nu HTML Checker found errors:\n{report}"

    def test_every_input_has_one_label_and_every_id_is_unique(self, demo_pages):
        problems = {
            request: found
            for request, html in demo_pages.items()
            if (found := label_problems(html))
        }
        assert not problems, problems

    def test_the_anti_bot_fields_are_there_once_and_never_labelled_in_sight(self, demo_pages):
        guarded = 0
        for request, html in demo_pages.items():
            for form in parse(html).forms:
                names = [field.get("name") for field in form.fields]
                if STAMP_FIELD not in names:
                    continue
                guarded += 1
                assert names.count(STAMP_FIELD) == 1, request
                assert names.count(HONEYPOT_FIELD) == 1, request
            assert not re.search(r"<label[^>]*>\s*Form started", html, re.IGNORECASE), request
            assert f'for="id_{STAMP_FIELD}"' not in html, request
            # The honeypot's label sits inside the hidden guard, nowhere else.
            for label in re.finditer(r"Leave this field empty", html):
                before = html[: label.start()]
                assert before.rfind('<div class="form-guard"') > before.rfind("</div>"), request
        assert guarded >= 5  # subscribe, prayer request, calendar, vigil, volunteer, church
