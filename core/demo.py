"""The demo site's parts, registered by the apps that own them (`manage.py demo_content`).

The editorial app's command builds the site (home page, stories, ministries) and calls what
the apps registered from their AppConfig.ready(), in `order` within each stage:

- "pages": `step(builder, home)` adds the app's pages that the site's own pages link to (a
  campaign that stories belong to), before the stories are written;
- "content": `step(home) -> {what: how many made}` adds the app's own content (requests,
  shifts, vigils);
- "finish": `step(builder, home)` adds pages that need the others (the Pray page).

`register_page(key, page_class)` names a page the home page's calls to action may lead to.
Every step is idempotent: running the command again makes nothing new.
"""

from collections.abc import Callable
from typing import Any

STAGES = ("pages", "content", "finish")
_STEPS: dict[str, list[tuple[int, Callable[..., Any]]]] = {stage: [] for stage in STAGES}
PAGES: dict[str, type] = {}


def register(stage: str, step: Callable[..., Any], order: int = 50) -> None:
    if stage not in _STEPS:
        raise ValueError(f"Unknown demo stage {stage!r}; one of {STAGES}")
    if all(existing is not step for _, existing in _STEPS[stage]):
        _STEPS[stage].append((order, step))


def register_page(key: str, page_class: type) -> None:
    PAGES[key] = page_class


def steps(stage: str) -> list[Callable[..., Any]]:
    return [step for _, step in sorted(_STEPS[stage], key=lambda entry: entry[0])]
