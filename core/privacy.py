"""What Vigil holds about a person: one registry over the apps that keep records by address.

Each app knows its own records and says so in its `privacy` module (prayer, volunteers,
campaigns), registered from its AppConfig.ready() with `register(module)`, with the same four
functions, each given the user and their VERIFIED addresses:

- `attach(user, addresses)`: link records made before the account existed to it (only
  records with a `user` field; the others are matched by address when asked);
- `sections(addresses, request)`: what My Vigil lists, as `Section`s of `Item`s with the
  signed links to change or cancel each (a fixed number of queries whatever the count);
- `export(addresses)`: everything held, as plain data for the download ({title: [records]});
- `erase(addresses, now)`: erase or anonymise it, keeping statistics; returns {what: count}.

An address only counts once verified: whoever typed someone else's address into a form or a
sign-up has shown nothing, so nothing is shown, attached, exported or erased for it.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Any, Protocol, cast

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest
from django.utils import dateformat, timezone

from core.mailing import normalise_email


class PrivacyModule(Protocol):
    """The four functions each app's `privacy` module has (see above)."""

    def attach(self, user: AbstractBaseUser, addresses: Sequence[str]) -> dict[str, int]: ...

    def sections(self, addresses: Sequence[str], request: HttpRequest) -> list["Section"]: ...

    def export(self, addresses: Sequence[str]) -> dict[str, list[Any]]: ...

    def erase(self, addresses: Sequence[str], now: datetime.datetime) -> dict[str, int]: ...


# In registration order, which is INSTALLED_APPS order: My Vigil lists sections in it.
PRIVACY_MODULES: list[PrivacyModule] = []


def register(module: object) -> None:
    """Add an app's `privacy` module (a module with the four functions above)."""
    if module not in PRIVACY_MODULES:
        PRIVACY_MODULES.append(cast(PrivacyModule, module))


def privacy_modules() -> list[PrivacyModule]:
    return list(PRIVACY_MODULES)


def verified_addresses(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """The user's verified addresses, lower-case as every app stores them (one query)."""
    if not user.is_authenticated:
        return []
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return sorted({normalise_email(email) for email in emails})


def erased_address_sql(kind: str) -> Concat:
    """A unique address that is never delivered (.invalid is reserved, RFC 2606), made in an
    UPDATE from each row's own id, for rows that must keep an address after the person goes."""
    return Concat(
        Value(f"erased-{kind}-"), Cast("pk", output_field=CharField()), Value("@erased.invalid")
    )


def when(moment: datetime.date | datetime.datetime | None) -> str:
    """A date or time as My Vigil shows it: "1 March 2026" (times in the site's zone)."""
    if moment is None:
        return ""
    if isinstance(moment, datetime.datetime) and moment.tzinfo is not None:
        moment = timezone.localtime(moment)
    return dateformat.format(moment, "j F Y")


@dataclasses.dataclass
class Link:
    label: str
    url: str


@dataclasses.dataclass
class Item:
    """One record on My Vigil: what it is, its state, its details and what can be done."""

    title: str
    status: str = ""
    details: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    links: list[Link] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Section:
    key: str
    heading: str
    items: list[Item]
    empty: str
    links: list[Link] = dataclasses.field(default_factory=list)  # for the whole section


def attach_everywhere(user: AbstractBaseUser, addresses: Sequence[str]) -> dict[str, int]:
    return {
        what: count
        for module in privacy_modules()
        for what, count in module.attach(user, addresses).items()
    }


def sections_everywhere(addresses: Sequence[str], request: HttpRequest) -> list[Section]:
    return [
        section for module in privacy_modules() for section in module.sections(addresses, request)
    ]


def export_everywhere(addresses: Sequence[str]) -> dict[str, list[Any]]:
    return {
        title: records
        for module in privacy_modules()
        for title, records in module.export(addresses).items()
    }


def erase_everywhere(addresses: Sequence[str], now: datetime.datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for module in privacy_modules():
        counts.update(module.erase(addresses, now))
    return counts
