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


class HookChain(Generic[P, R]):
    """A call a lower app makes that one of several higher apps answers, each for what is its
    own (a reference only it knows): every handler, registered in its app's
    ``AppConfig.ready()``, is asked in turn and the first answer that is not None is the answer
    (None when none of them claims it). Calling one that nobody registered raises, as a
    ``Hook`` does."""

    def __init__(self, name: str, purpose: str) -> None:
        self.name = name
        self.purpose = purpose
        self._handlers: list[Callable[P, R | None]] = []

    def register(self, handler: Callable[P, R | None]) -> None:
        if all(_where(existing) != _where(handler) for existing in self._handlers):
            self._handlers.append(handler)  # the same one again when ready() runs again

    @property
    def registered(self) -> bool:
        return bool(self._handlers)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R | None:
        if not self._handlers:
            raise ImproperlyConfigured(
                f"nothing is registered for {self.name} ({self.purpose}): are the apps that handle it "
                "installed, and do their AppConfig.ready() register them?"
            )
        for handler in self._handlers:
            answer = handler(*args, **kwargs)
            if answer is not None:
                return answer
        return None


def _where(handler: Callable[..., object]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


T = TypeVar("T")


class Event(Generic[T]):
    """A fact a lower app announces to whoever above cares: zero, one or many listeners, each
    subscribed in its app's ``AppConfig.ready()`` and called in order, inside the announcing
    transaction (a listener that raises rolls the announcement back with it). Unlike a ``Hook``
    nobody has to listen: the fact stands whether or not an app above acts on it."""

    def __init__(self, name: str, purpose: str) -> None:
        self.name = name
        self.purpose = purpose
        self._listeners: list[Callable[[T], object]] = []

    def subscribe(self, listener: Callable[[T], object]) -> None:
        if all(_where(existing) != _where(listener) for existing in self._listeners):
            self._listeners.append(listener)  # the same one again when ready() runs again

    @property
    def listeners(self) -> tuple[Callable[[T], object], ...]:
        return tuple(self._listeners)

    def publish(self, fact: T) -> None:
        for listener in self._listeners:
            listener(fact)
