"""Views for a routable page's routes, bound from its app's ready().

A page model that imported its own views module (which imports the models) would tie the two
in a cycle, hidden inside functions. Instead the page declares `route_views = RouteViews()`
and each route calls `self.route_views["name"]`; the app's AppConfig.ready() binds the
functions from its views modules, which import the models downward only.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class RouteViews:
    def __init__(self) -> None:
        self._views: dict[str, Callable[..., Any]] = {}

    def bind(self, **views: Callable[..., Any]) -> None:
        self._views.update(views)

    def __getitem__(self, name: str) -> Callable[..., Any]:
        try:
            return self._views[name]
        except KeyError:
            raise ImproperlyConfigured(f"No view is bound to the route {name!r}") from None
