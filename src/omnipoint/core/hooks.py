"""Calls a lower app makes into a higher one, without importing it.

The lower app declares the hook (in a module without models, so that the higher app's apps.py may
import it); the higher app registers its handler in its ``AppConfig.ready()``. Calling a hook that
nobody registered raises ``ImproperlyConfigured``: a missing handler is a broken installation,
never a step silently skipped.
"""

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, name: str, purpose: str) -> None:
        self.name = name
        self.purpose = purpose
        self._handler: Callable[P, R] | None = None

    def register(self, handler: Callable[P, R]) -> None:
        if self._handler is not None and _where(self._handler) != _where(handler):
            raise ImproperlyConfigured(f"{self.name} already has a handler ({_where(self._handler)})")
        self._handler = handler  # the same one again when ready() runs again

    @property
    def registered(self) -> bool:
        return self._handler is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._handler is None:
            raise ImproperlyConfigured(
                f"nothing is registered for {self.name} ({self.purpose}): is the app that handles it "
                "installed, and does its AppConfig.ready() register it?"
            )
        return self._handler(*args, **kwargs)


def _where(handler: Callable[..., object]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"
