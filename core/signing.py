"""Signed links: a token names its purpose and its subject, and may expire.

Links in emails must work without an account and must not be forgeable or reusable for
another purpose. Each purpose gets its own salt; the subject's version field lets it revoke
all the links sent so far (bump it and every older token fails).

`SignedLink` is the one recipe: declare a purpose once (salt, model, version field, route,
maximum age) and it builds the URL and turns a token back into the row, raising `LinkRefused`
for every way a link can fail. `link_refused` renders the one "this link does not work" page.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import force_bytes

MAX_TOKEN_LENGTH = 300


class LinkRefused(Exception):
    """A signed link that does not work, and why: the reason decides the status and the page.

    Expired and tampered links are the visitor's request gone wrong (400); a superseded link
    (a newer email replaced it) or one whose row is gone names nothing any more (404).
    """

    EXPIRED = "expired"
    TAMPERED = "tampered"
    SUPERSEDED = "superseded"
    GONE = "gone"

    def __init__(self, reason: str, max_age: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.max_age = max_age

    @property
    def status(self) -> int:
        return 400 if self.reason in (self.EXPIRED, self.TAMPERED) else 404


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"vigil:{purpose}")


def make_token(purpose: str, subject_id: int, version: int = 0) -> str:
    return _signer(purpose).sign_object({"id": subject_id, "v": version}, compress=True)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_token(token: str, purpose: str, max_age: float | None = None) -> tuple[int, int]:
    """Return (subject_id, version), or raise LinkRefused (expired or tampered)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused(LinkRefused.TAMPERED)
    try:
        value = _signer(purpose).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkRefused(LinkRefused.EXPIRED) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkRefused(LinkRefused.TAMPERED) from error
    if (
        not isinstance(value, dict)
        or not _is_int(value.get("id"))
        or not _is_int(value.get("v", 0))
    ):
        raise LinkRefused(LinkRefused.TAMPERED)
    return value["id"], value.get("v", 0)


@dataclass(frozen=True)
class SignedLink:
    """One kind of emailed link: its purpose (the salt), the row it names and how to reach it.

    `model` is an "app_label.ModelName" label so that links modules need not import models.
    `version_field` may follow a relation ("volunteer__link_version"). `route` is the URL name;
    the token is its last argument. `max_age` is in seconds, None for links that do not expire.
    """

    purpose: str
    model: str
    route: str
    version_field: str = "link_version"
    max_age: int | None = None

    def token(self, subject_id: int, version: int) -> str:
        return make_token(self.purpose, subject_id, version)

    def path(self, subject_id: int, version: int, *args: Any) -> str:
        """The link's path; `args` are the route's arguments before the token."""
        return reverse(self.route, args=[*args, self.token(subject_id, version)])

    def url(self, subject_id: int, version: int, *args: Any) -> str:
        """The absolute link an email carries (SITE_URL: the site's one address)."""
        return f"{settings.SITE_URL}{self.path(subject_id, version, *args)}"

    def version_of(self, row: models.Model) -> int:
        value: Any = row
        for name in self.version_field.split("__"):
            value = getattr(value, name)
        return int(value)

    def path_for(self, row: models.Model, *args: Any) -> str:
        return self.path(row.pk, self.version_of(row), *args)

    def url_for(self, row: models.Model, *args: Any) -> str:
        return f"{settings.SITE_URL}{self.path_for(row, *args)}"

    def resolve(self, token: str, queryset: models.QuerySet[Any] | None = None) -> Any:
        """The row the token names at its current version, or raise LinkRefused."""
        try:
            subject_id, version = read_token(token, self.purpose, max_age=self.max_age)
        except LinkRefused as refused:
            raise LinkRefused(refused.reason, self.max_age) from refused
        model = apps.get_model(self.model)
        rows = model._default_manager.all() if queryset is None else queryset
        found = rows.filter(pk=subject_id, **{self.version_field: version}).first()
        if found is not None:
            return found
        if model._default_manager.filter(pk=subject_id).exists():
            raise LinkRefused(LinkRefused.SUPERSEDED, self.max_age)
        raise LinkRefused(LinkRefused.GONE, self.max_age)

    def batch(self) -> "BatchLinks":
        return BatchLinks(self)


def link_refused(
    request: HttpRequest,
    refused: LinkRefused,
    *,
    status: int | None = None,
    new_link_url: str = "",
    new_link_hint: str = "",
) -> HttpResponse:
    """The one "this link does not work" page.

    `status` overrides the reason's own where a feature has always answered one status for
    every failure (a 404 for a feed a calendar app polls). `new_link_url` and `new_link_hint`
    say how to ask for a fresh link, where the feature has a way.
    """
    days = refused.max_age // (24 * 60 * 60) if refused.max_age else 0
    context = {
        "reason": refused.reason,
        "lifetime_days": days,
        "new_link_url": new_link_url,
        "new_link_hint": new_link_hint,
    }
    return render(request, "website/link_refused.html", context, status=status or refused.status)


class _BatchSigner(signing.TimestampSigner):
    """make_token's signer, with the key derived once and one timestamp for a whole batch.

    make_token derives the HMAC key again for every token; a digest batch makes 2,000.
    """

    def __init__(self, purpose: str, timestamp: str):
        salt = f"vigil:{purpose}"
        super().__init__(salt=salt)
        self._timestamp = timestamp
        derived = hashlib.sha256(force_bytes(salt + "signer") + force_bytes(self.key)).digest()
        self._mac = hmac.new(derived, digestmod=hashlib.sha256)

    def timestamp(self) -> str:
        return self._timestamp

    def signature(self, value: Any, key: Any = None) -> str:
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()

    def sign_subject(self, subject_id: int, version: int) -> str:
        """sign_object({"id": ..., "v": ...}) without the serializer and zlib round trip.

        sign_object's JSON has no spaces, and zlib never shortens so small a value, so its
        token is this one (BatchLinks checks that before using it).
        """
        payload = f'{{"id":{int(subject_id)},"v":{int(version)}}}'.encode()
        return self.sign(signing.b64_encode(payload).decode())


class BatchLinks:
    """A SignedLink's URLs for a whole batch: the URL reversed once, the key derived once.

    The tokens are SignedLink's own. At start a fast link is checked against SignedLink.url
    and read_token; if anything differs, every URL is made the slow way.
    """

    def __init__(self, link: SignedLink):
        self.link = link
        self.fast: tuple[str, _BatchSigner] | None = None
        reference = link.url(0, 0)
        prefix = reference[: reference.rstrip("/").rfind("/") + 1]
        signer = _BatchSigner(link.purpose, signing.b62_encode(int(time.time())))
        probe = (12345, 3)
        token = signer.sign_subject(*probe)
        try:
            usable = (
                token == signer.sign_object({"id": probe[0], "v": probe[1]}, compress=True)
                and read_token(token, link.purpose) == probe
                and read_token(reference[len(prefix) : -1], link.purpose) == (0, 0)
            )
        except LinkRefused:
            usable = False
        if usable and reference.endswith("/"):
            self.fast = (prefix, signer)

    def url(self, subject_id: int, version: int) -> str:
        if self.fast is None:
            return self.link.url(subject_id, version)
        prefix, signer = self.fast
        return f"{prefix}{signer.sign_subject(subject_id, version)}/"
