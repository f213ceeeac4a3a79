"""What the checkout keeps between requests (core.cached) is forgotten the moment it changes: a
new price, an ended promotion, a revoked token, a changed password, a deactivated outlet."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from omnipoint.catalog.models import PriceList
from omnipoint.catalog.selectors import prices_get
from omnipoint.catalog.services import price_set
from omnipoint.core.models import ApiToken
from omnipoint.marketing import selectors as marketing_selectors
from omnipoint.marketing.domain import Context
from omnipoint.marketing.models import Promotion
from omnipoint.marketing.services import promotion_end
from omnipoint.orders.services.checkout import _outlet
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


def test_prices_are_read_once_then_kept_until_one_changes(network):
    sku, region = network.skus[0], network.a.region
    first, n1 = _queries(lambda: prices_get(sku_ids=[sku.pk], region=region, channel="web"))
    again, n2 = _queries(lambda: prices_get(sku_ids=[sku.pk], region=region, channel="web"))
    assert (n1, n2) == (1, 0) and again == first
    national = PriceList.objects.get(name="全国价")
    price_set(actor=actor_get(user=user_of("hq_admin")), price_list_id=national.pk, sku_id=sku.pk, amount=1)
    shanghai = prices_get(sku_ids=[sku.pk], region=region, channel="web")[sku.pk]
    nanjing = prices_get(sku_ids=[sku.pk], region=network.c.region, channel="web")[sku.pk]
    assert nanjing.amount == 1 and shanghai.amount == first[sku.pk].amount  # Shanghai's own list wins there


def test_an_ended_promotion_stops_applying_at_once(network):
    now = timezone.now()
    promo = Promotion.objects.create(
        name="满减", kind="threshold", amount_off=100, threshold=1000, region_path="/",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    ctx = Context(channel="web", region_path=network.a.region_path, outlet_id=None, member_tier="", now=now)
    assert [p.pk for p in marketing_selectors.promotions_for_checkout(ctx=ctx)] == [promo.pk]
    _, n = _queries(lambda: marketing_selectors.promotions_for_checkout(ctx=ctx))
    assert n == 0
    promotion_end(actor=actor_get(user=user_of("hq_admin")), promotion_id=promo.pk)
    assert marketing_selectors.promotions_for_checkout(ctx=ctx) == []
    later = Context(channel="web", region_path=network.a.region_path, outlet_id=None, member_tier="",
                    now=now + timedelta(hours=2))  # fmt: skip
    assert marketing_selectors.promotions_for_checkout(ctx=later) == []


def test_a_token_is_kept_but_dies_with_revocation_and_password_change(network):
    user = user_of("outlet_clerk")
    key = ApiToken.issue(user, name="t")
    assert ApiToken.user_for(key) == user
    _, n = _queries(lambda: ApiToken.user_for(key))
    assert n == 0
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).delete()
    assert ApiToken.user_for(key) is None
    key = ApiToken.issue(user, name="t2")
    assert ApiToken.user_for(key) == user
    user.set_password("another one")
    user.save()
    assert ApiToken.user_for(key) is None


def test_an_outlet_closed_is_no_longer_offered(network):
    assert _outlet(network.a.pk, field="pickup_outlet") == network.a
    network.a.is_active = False
    network.a.save()
    try:
        _outlet(network.a.pk, field="pickup_outlet")
    except Exception as e:
        assert getattr(e, "code", "") == "outlet_not_found"
    else:
        raise AssertionError("a closed outlet was offered")
