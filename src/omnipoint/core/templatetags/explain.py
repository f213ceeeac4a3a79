"""``{{ reason|explain }}``: an explanation (stored JSON or ``core.explain.Explanation``) as a
sentence in the reader's language."""

from typing import Any

from django import template

from omnipoint.core.channels import Channel
from omnipoint.core.explain import render

register = template.Library()


@register.filter
def explain(explanation: Any) -> str:
    return render(explanation)


@register.filter
def channel_label(code: str) -> str:
    """A channel's name in the reader's language (the code if it is not one of ours)."""
    return str(Channel(code).label) if code in Channel.values else code
