"""``{{ reason|explain }}``: an explanation (stored JSON or ``core.explain.Explanation``) as a
sentence in the reader's language."""

from typing import Any

from django import template

from omnipoint.core.explain import render

register = template.Library()


@register.filter
def explain(explanation: Any) -> str:
    return render(explanation)
