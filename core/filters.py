"""Listing filters that forgive: the news index, the prayer wall and the volunteer index read their
filters (?tag=, ?topic=, ?date= …) here. A value that names nothing, or that is no value at all
(too long, control characters, not a date), is left out: the list shows without that filter and
says so in a short note, instead of a 404 for a link that was shared before a topic was renamed.

The view puts `filters.context()` in its template context; `includes/filter_notes.html` shows the
notes, the page's head then carries `noindex` (its canonical is already the unfiltered list), and
pagination links leave the ignored values out.
"""

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.http import QueryDict

LONGEST_VALUE = 100  # no slug or date is longer: a longer value is never looked up
SHOWN_LENGTH = 40  # how much of an ignored value the note repeats


def shown(value: str) -> str:
    """The value as the note repeats it: no control characters, cut to a readable length."""
    printable = "".join(c for c in value if unicodedata.category(c)[0] != "C")
    if len(printable) > SHOWN_LENGTH:
        return printable[: SHOWN_LENGTH - 1] + "…"
    return printable


def lookable(value: str) -> bool:
    """A value worth a database query (PostgreSQL refuses NUL; no slug is that long)."""
    return len(value) <= LONGEST_VALUE and "\x00" not in value


class ListingFilters:
    """The filters of one listing request. `items` names what the list shows ("requests")."""

    def __init__(self, params: Mapping[str, str], items: str):
        self.params = params
        self.items = items
        self.applied: list[str] = []
        self.ignored: list[tuple[str, str]] = []  # (parameter, what the note says of it)

    def choose(
        self,
        name: str,
        find: Callable[[str], Any],
        *,
        noun: str | None = None,
        unknown: str = "No {noun} called “{value}”",
    ) -> Any:
        """What `find` makes of ?`name`=, or None: none was given, or it found nothing (noted).

        `find` gets a stripped value of sane length and returns the object or None.
        """
        value = str(self.params.get(name, "")).strip()
        if not value:
            return None
        found = find(value) if lookable(value) else None
        if found is None:
            self.ignored.append((name, unknown.format(noun=noun or name, value=shown(value))))
        else:
            self.applied.append(name)
        return found

    @property
    def notes(self) -> list[str]:
        ending = "leaving that filter out" if self.applied else f"showing all {self.items}"
        return [f"{said}; {ending}." for _name, said in self.ignored]

    def query(self) -> QueryDict | None:
        """The query string without the ignored filters (for pagination), or None if none was."""
        if not self.ignored or not isinstance(self.params, QueryDict):
            return None
        kept = self.params.copy()
        for name, _said in self.ignored:
            kept.pop(name, None)
        return kept

    def context(self) -> dict[str, Any]:
        return {"filter_notes": self.notes, "listing_query": self.query()}
