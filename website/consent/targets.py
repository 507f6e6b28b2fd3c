"""Content of the feature apps that consent records govern, registered by those apps.

A consent record points at a story or a photo (this app's foreign keys) or is pointed at by
content of a feature app that builds on this one (a prayer request). That app owns the link:
a many-to-many field from its content to `website.ConsentRecord` through a link table of its
own with one row per record (a one-to-one to the record), whose `related_query_name` is the
target's `field` (so `ConsentRecord.objects.filter(prayer_request=...)` reads as before), and
a record for it has `target` set to that name. Neither this app's models nor its migrations
name the feature app. The app registers, from its AppConfig.ready(), for that `field`:

- `take_down_ended(today, now)`: take its content whose consent has ended off the site,
  idempotently; returns what it took down;
- `edit_url(pk)`: where staff edit that content in the back office.

`register_after_take_down(listener)`: `listener(stories, taken, now)` runs after each take-down
run that took anything down (`taken`: field -> items), e.g. to render again the public copies
of digests that showed them.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConsentTarget:
    field: str
    take_down_ended: Callable[[datetime.date, datetime.datetime], Sequence[Any]]
    edit_url: Callable[[int], str]


TARGETS: dict[str, ConsentTarget] = {}
AFTER_TAKE_DOWN: list[
    Callable[[Sequence[Any], dict[str, Sequence[Any]], datetime.datetime], Any]
] = []


def register(target: ConsentTarget) -> None:
    TARGETS[target.field] = target


def register_after_take_down(
    listener: Callable[[Sequence[Any], dict[str, Sequence[Any]], datetime.datetime], Any],
) -> None:
    if listener not in AFTER_TAKE_DOWN:
        AFTER_TAKE_DOWN.append(listener)
