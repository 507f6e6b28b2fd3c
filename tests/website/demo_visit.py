"""Every page the demo site serves to a visitor, and every page its emails lead to.

`visit_demo(client)` crawls the site from its home page along its own links, fills in each
form that asks for an email address (once empty, to see its errors, and once as a person
would), follows every link in the emails that sends, presses the "Confirm" buttons on the
pages those links open, and crawls on from there. Last it opens the unsubscribe link each bulk
email carries for the people it signed up and presses "Unsubscribe". It returns each HTML page
by the request that got it, for checks that must hold on every page (valid HTML, labels ...).
"""

import itertools
import re
from collections import deque
from functools import partial
from urllib.parse import urljoin, urlsplit

from django.core import mail
from django.test import Client, TestCase

from tests.html_pages import LINK_PATTERN, Form, parse

HOSTS = ("", "testserver", "localhost")
# Not pages of the site: files, the back office, providers' webhooks, feeds, calendar files.
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/documents/", "/anymail/", "/_util/")
SKIP_SUFFIXES = (".ics", ".xml", ".txt", ".rss", ".json", ".jpg", ".png", ".svg", ".pdf")
# Forms reached from the home page's menu are few; filters and pagination repeat a page with
# other query strings, so a few of each path say all there is to say.
MAX_QUERIES_PER_PATH = 3
MAX_PAGES = 600
EMAIL_LINK = re.compile(r"https?://[^\s\"<>]+")
# Forms that are not linked from any page a visitor sees without signing in.
EXTRA_SEEDS = ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/")


def is_page(response) -> bool:
    """An HTML page, not a redirect elsewhere (a kit document) or an empty 405."""
    return response.get("Content-Type", "").startswith("text/html") and bool(
        response.content.strip()
    )


class Visit:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.pages: dict[str, str] = {}  # "GET /path" or "POST /path (…)" -> HTML
        self.seen: set[str] = set()
        self.per_path: dict[str, int] = {}
        self.mail_read = len(mail.outbox)
        self.addresses = (f"visitor{n}@example.org" for n in itertools.count(1))

    # -- crawling ---------------------------------------------------------------------------
    def local(self, base: str, link: str) -> str | None:
        parts = urlsplit(urljoin(f"http://testserver{base}", link.replace("&amp;", "&")))
        if parts.netloc not in HOSTS or parts.scheme not in ("http", "https"):
            return None
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, start) -> list[str]:
        """GET each new page from `start` on, following links; the paths newly visited."""
        queue, visited = deque(start), []
        while queue and len(self.pages) < MAX_PAGES:
            path = queue.popleft()
            if path in self.seen:
                continue
            bare = path.split("?")[0]
            if "?" in path and self.per_path.get(bare, 0) >= MAX_QUERIES_PER_PATH:
                continue
            self.seen.add(path)
            self.per_path[bare] = self.per_path.get(bare, 0) + 1
            response, final = self.follow(self.client.get(path), path)
            if not is_page(response):
                continue
            html = response.content.decode()
            self.pages[f"GET {path}"] = html
            visited.append(path)
            for link in LINK_PATTERN.findall(html):
                target = self.local(final, link)
                if target and target not in self.seen:
                    queue.append(target)
        return visited

    def follow(self, response, path):
        """Follow redirects within the site (Django's client would follow any host's)."""
        for _ in range(5):
            location = response.get("Location") if response.status_code in (301, 302, 303) else None
            target = location and self.local(path, location)
            if not target:
                break
            path = target
            response = self.client.get(path)
        return response, path

    # -- forms ------------------------------------------------------------------------------
    def filled(self, form: Form, empty: bool = False) -> dict[str, list[str]]:
        """What a person would send: every required-looking box filled, one of each choice."""
        data: dict[str, list[str]] = {}
        for control in form.fields:
            name, kind = control.get("name"), control.get("type", "text")
            if not name or control["_tag"] == "button" or kind == "submit":
                continue
            if kind == "hidden":
                data.setdefault(name, []).append(control.get("value", ""))
            elif empty or name == "website":  # the honeypot stays empty
                continue
            elif kind in ("checkbox", "radio"):
                if name not in data:
                    data[name] = [control.get("value", "on")]
            elif control["_tag"] == "select":
                options = form.options.get(name, [])
                chosen = [value for value, selected in options if selected and value]
                values = [value for value, _ in options if value]
                if chosen or values:
                    data[name] = [(chosen or values)[0]]
            elif kind == "email":
                data[name] = [next(self.addresses)]
            elif kind == "tel":
                data[name] = ["+44 20 7946 0000"]
            elif kind == "password":
                data[name] = ["A-long-passphrase-for-2026"]
            elif kind == "number":
                data[name] = ["12"]
            elif control["_tag"] == "textarea":
                data[name] = ["Please pray for the families in our town."]
            else:
                data[name] = ["Grace"]
        return data

    def submit(self, base: str, form: Form, data: dict[str, list[str]], label: str) -> list[str]:
        """Send the form; the links on the page it leads to."""
        action = self.local(base, form.attrs.get("action") or base) or base
        # Emails are sent by tasks queued when the transaction commits: run them now.
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.post(action, data)
        response, final = self.follow(response, action)
        if not is_page(response):
            return []
        html = response.content.decode()
        self.pages[f"POST {action} ({label})"] = html
        return [
            link for link in map(partial(self.local, final), LINK_PATTERN.findall(html)) if link
        ]

    def fill_in_email_forms(self, paths) -> list[str]:
        """Send each form that asks for an email address: empty, then filled in."""
        landed = []
        for path in paths:
            for form in parse(self.pages[f"GET {path}"]).forms:
                is_email_form = any(c.get("type") == "email" for c in form.fields)
                if form.method != "post" or not is_email_form:
                    continue
                self.submit(path, form, self.filled(form, empty=True), "empty")
                # A fresh page: a fresh stamp and CSRF token.
                fresh = parse(self.client.get(path).content.decode()).forms
                match = [f for f in fresh if f.attrs == form.attrs] or [form]
                landed += self.submit(path, match[0], self.filled(match[0]), "filled in")
        return landed

    def press(self, word: str, paths) -> list[str]:
        """Press each button saying `word` ("Confirm", "Unsubscribe") on these pages."""
        landed = []
        for path in paths:
            for form in parse(self.pages[f"GET {path}"]).forms:
                if form.method == "post" and any(word in b for b in form.buttons):
                    landed += self.submit(path, form, self.filled(form), word.lower())
        return landed

    # -- emails -----------------------------------------------------------------------------
    def links_in_new_emails(self) -> list[str]:
        links = []
        for message in mail.outbox[self.mail_read :]:
            bodies = [message.body] + [body for body, _ in getattr(message, "alternatives", [])]
            bodies += [str(value) for value in message.extra_headers.values()]  # List-Unsubscribe
            for body in bodies:
                for link in EMAIL_LINK.findall(body):
                    target = self.local("/", link.rstrip(".,)"))
                    if target:
                        links.append(target)
        self.mail_read = len(mail.outbox)
        return links


def unsubscribe_links() -> list[str]:
    """The unsubscribe link each bulk email (digest, daily calendar entry, vigil reminder,
    campaign update) carries for the people the visit signed up, as those emails build it."""
    from campaigns import links as campaign_links
    from campaigns.models import RegistrationContact
    from digests import links as prayer_links
    from digests.models import Subscription
    from vigils import calendar_emails as calendar_emails
    from vigils import emails as vigil_emails
    from vigils.models import CalendarSubscription, VigilSignup

    urls = [prayer_links.unsubscribe_url(s.pk, s.link_version) for s in Subscription.objects.all()]
    urls += [
        calendar_emails.unsubscribe_url(s.pk, s.link_version)
        for s in CalendarSubscription.objects.all()
    ]
    urls += [vigil_emails.unsubscribe_url(s.pk, s.link_version) for s in VigilSignup.objects.all()]
    urls += [
        campaign_links.unsubscribe_url(c.pk, c.link_version)
        for c in RegistrationContact.objects.all()
    ]
    return [urlsplit(url).path for url in urls]


def visit_demo(client: Client) -> dict[str, str]:
    visit = Visit(client)
    pages = visit.crawl(["/", *EXTRA_SEEDS])
    landed = visit.fill_in_email_forms(pages)
    for _ in range(4):  # confirmation emails lead to pages that send more
        from_emails = visit.crawl(visit.links_in_new_emails() + landed)
        if not from_emails:
            break
        landed = visit.press("Confirm", from_emails)
        landed += visit.fill_in_email_forms(from_emails)
    visit.crawl(visit.press("Unsubscribe", visit.crawl(unsubscribe_links())))
    return visit.pages
