"""Every state-changing service names who acts (issue 8): a staff member, a member, or the
platform itself (``outlets.domain.SYSTEM``), never ``None`` for "trusted".

A service is a public function of a ``services`` module or package. Each takes a keyword-only
``actor`` with no default, whose type does not admit ``None``: the service authorises it itself,
so the API, the console and the storefront get the same answer from the same call. ``DEBTS``
lists the services that do not yet; it only shrinks, and a line that no longer applies fails too.
"""

import importlib
import inspect
import pkgutil
import types
import typing

import omnipoint

# The services that do not take an actor yet, by module: each a debt to pay off, not a rule.
DEBTS: dict[str, set[str]] = {}


def _service_modules() -> list[types.ModuleType]:
    found = []
    for info in pkgutil.walk_packages(omnipoint.__path__, "omnipoint."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        if "services" in parts[2:] or parts[-1] == "topups":
            found.append(importlib.import_module(info.name))
    return found


def _problem(fn: typing.Callable[..., object]) -> str | None:
    param = inspect.signature(fn).parameters.get("actor")
    if param is None:
        return "takes no actor"
    if param.kind is not inspect.Parameter.KEYWORD_ONLY:
        return "takes its actor by position"
    if param.default is not inspect.Parameter.empty:
        return f"defaults its actor to {param.default!r}"
    hints = typing.get_type_hints(fn)
    if type(None) in typing.get_args(hints.get("actor")):
        return "lets its actor be None"
    return None


def test_every_service_takes_an_actor() -> None:
    modules = _service_modules()
    assert any(
        m.__name__ == "omnipoint.orders.services" or m.__name__.startswith("omnipoint.orders.services.")
        for m in modules
    )
    problems, stale = [], []
    for module in modules:
        debts = DEBTS.get(module.__name__, set())
        public = {
            name: fn
            for name, fn in vars(module).items()
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
        }
        for name, fn in sorted(public.items()):
            problem = _problem(fn)
            if problem and name not in debts:
                problems.append(f"{module.__name__}.{name} {problem}")
            if not problem and name in debts:
                stale.append(f"{module.__name__}.{name} takes an actor now: remove it from DEBTS")
        stale += [
            f"{module.__name__}.{name} is no longer a service: remove it from DEBTS"
            for name in debts - set(public)
        ]
    known = {m.__name__ for m in modules}
    stale += [f"{name} is no longer a services module: remove it from DEBTS" for name in set(DEBTS) - known]
    assert not problems, "\n".join(problems)
    assert not stale, "\n".join(stale)
