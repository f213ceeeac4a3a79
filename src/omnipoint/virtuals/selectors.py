"""Reads of virtual items."""

from omnipoint.virtuals.models import VirtualFulfilment


def fulfilments_for(*, owner_refs: list[str]) -> dict[str, VirtualFulfilment]:
    """The virtual items asked for these owners, by owner. One query."""
    return {v.owner_ref: v for v in VirtualFulfilment.objects.filter(owner_ref__in=owner_refs)}
