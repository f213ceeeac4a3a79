from django.db import transaction

from omnipoint.catalog.models import PriceList, PriceListItem, Sku
from omnipoint.core.channels import Channel
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.outlets.domain import Actor, Perm


@transaction.atomic
def price_set(
    *, actor: Actor, price_list_id: int, sku_id: int, amount: int, channel: str = ""
) -> PriceListItem:
    """Set a SKU's price on a list. Regional staff set prices only on lists of their region;
    network-wide lists are HQ's."""
    actor.require(Perm.PRICE_EDIT)
    price_list = PriceList.objects.select_related("region").filter(pk=price_list_id).first()
    region_path = price_list.region.path if price_list and price_list.region else "/"
    if price_list is None or not (actor.scope.is_hq or actor.scope.covers_region(region_path)):
        raise NotFoundError(f"price list {price_list_id} not found", code="price_list_not_found")
    if channel and channel not in Channel.values:
        raise ValidationError(f"unknown channel {channel}", code="invalid_channel")
    if not 0 < amount <= 100_000_000_00:
        raise ValidationError("amount must be 1 fen .. 100 million yuan", code="invalid_amount")
    if not Sku.objects.filter(pk=sku_id).exists():
        raise NotFoundError(f"SKU {sku_id} not found", code="sku_not_found")
    item, _ = PriceListItem.objects.update_or_create(
        price_list=price_list, sku_id=sku_id, channel=channel, defaults={"amount": amount}
    )
    return item
