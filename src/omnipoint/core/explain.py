"""Explanations and refusals as data, put into words only when shown.

The pure policies (a SKU's price, promotions and coupons, routing) say why they decided as an
``Explanation``: a ``kind`` and its parameters (codes, names, counts, amounts in fen, times in
ISO). It is stored as JSON (``{"kind": ..., "params": {...}}``) and turned into a sentence by
``render`` in the active language, through the texts each app registers in its
``AppConfig.ready()`` (``<app>/explain.py``). A kind nobody registered fails loudly.

Parameters are shown by their name: ``*_fen`` as money (¥12.30), ``*_at`` as a local time,
``km`` to one decimal, ``channel`` / ``channels`` as channel names, a list joined as the
language lists things, and a nested explanation (``{"kind": ...}``) rendered in place.
Rows stored before explanations were data hold plain text; it is shown as it is.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import override, pgettext

from omnipoint.core.channels import Channel

K = TypeVar("K", bound=str)
LEGACY = "text"  # a stored reason from before: shown as written


@dataclass(frozen=True)
class Explanation:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: object) -> "Explanation":
        if isinstance(data, Explanation):
            return data
        if isinstance(data, Mapping) and isinstance(data.get("kind"), str):
            return cls(data["kind"], dict(data.get("params") or {}))
        return cls(LEGACY, {"text": str(data)})


def as_json(explanations: Any) -> list[dict[str, Any]]:
    return [Explanation.from_json(e).as_json() for e in explanations or []]


_TEXTS: dict[str, str | Promise] = {}


def register(texts: Mapping[K, str | Promise]) -> None:
    """An app's sentence for each of its kinds (lazy translations with %(param)s slots)."""
    for kind, text in texts.items():
        if _TEXTS.setdefault(str(kind), text) is not text:
            raise ImproperlyConfigured(f"the explanation kind {kind!r} is registered twice")


def registered(kind: str) -> bool:
    return kind == LEGACY or kind in _TEXTS


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}¥{whole}.{part:02d}"


def _channel(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def _listed(values: list[Any]) -> str:
    return pgettext("list separator", ", ").join(str(v) for v in values)


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, Mapping) and "kind" in value:
        return render(value)
    if name.endswith("_fen") and isinstance(value, int):
        return yuan(value)
    if name.endswith("_at") and isinstance(value, str):
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    if name == "km" and isinstance(value, int | float):
        return f"{value:.1f}"
    if name in ("channel", "channels"):
        value = [_channel(c) for c in value] if isinstance(value, list) else _channel(value)
    if isinstance(value, list):
        return _listed(value)
    return value


def render(explanation: Explanation | Mapping[str, Any] | str) -> str:
    """One explanation as a sentence in the active language."""
    e = Explanation.from_json(explanation)
    if e.kind == LEGACY:
        return str(e.params.get("text", ""))
    try:
        template = _TEXTS[e.kind]
    except KeyError:
        raise ImproperlyConfigured(f"no text registered for the explanation kind {e.kind!r}") from None
    # ``%`` on the lazy text itself, so a plural text picks its form by the count it is given
    return str(template % {name: _shown(name, value) for name, value in e.params.items()})


def render_all(explanations: Any) -> list[str]:
    return [render(e) for e in explanations or []]


def in_english(explanation: Explanation | Mapping[str, Any] | str) -> str:
    """For the English ``message`` of an error, which API clients and logs read."""
    with override("en"):
        return render(explanation)
