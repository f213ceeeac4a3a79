import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from omnipoint.core.models import ApiToken
from omnipoint.members.models import Member
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.services import LineRequest, order_place
from omnipoint.outlets.domain import SYSTEM
from omnipoint.payments.domain import sign
from omnipoint.payments.models import Payment
from omnipoint.payments.sandbox import SIGNATURE_HEADER

NOTIFY_URL = "/api/v1/payments/notify/sandbox"
SECRET = "sandbox-test-secret"


@pytest.fixture(autouse=True)
def sandbox_secret(settings):
    settings.SANDBOX_PAY_SECRET = SECRET
    settings.SITE_URL = "http://testserver"


class Shopper:
    def __init__(self, user: Any, member: Member, token: str) -> None:
        self.user, self.member, self.token = user, member, token

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def make_shopper(mobile: str = "13900000001") -> Shopper:
    user = get_user_model().objects.create_user(username=f"m{mobile}", password="x")
    member = Member.objects.create(mobile=mobile, name="顾客", card_code=f"M{mobile}", user=user)
    return Shopper(user, member, ApiToken.issue(user, name="test"))


@pytest.fixture
def shopper(network) -> Shopper:
    return make_shopper()


def place(
    user: Any, outlet: Any, *, sku: Any, quantity: int = 1, payment_mode: str = "online", mobile: str = ""
) -> Any:
    """A web order for pickup at ``outlet``."""
    return order_place(
        actor=actor_for_user(user=user),
        channel="web",
        method="pickup",
        pickup_outlet_id=outlet.pk,
        payment_mode=payment_mode,
        mobile=mobile,
        lines=[LineRequest(sku_id=sku.pk, quantity=quantity)],
    )


def notification(
    payment: Payment,
    *,
    amount: int | None = None,
    state: str = "SUCCESS",
    secret: str = SECRET,
    transaction_id: str | None = None,
) -> tuple[bytes, str]:
    """A notification as the sandbox gateway would send it, signed with ``secret``."""
    body = json.dumps(
        {
            "out_trade_no": payment.number,
            "transaction_id": payment.provider_ref if transaction_id is None else transaction_id,
            "amount": payment.amount if amount is None else amount,
            "trade_state": state,
            "paid_at": None,
            "nonce": "n",
        }
    ).encode()
    return body, sign(secret, body)


def post_notification(client: Any, body: bytes, signature: str, **extra: Any) -> Any:
    meta = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature, **extra}
    return client.post(NOTIFY_URL, data=body, content_type="application/json", **meta)


def pay_at_gateway(client: Any, payment: Payment) -> Any:
    """The payer pays on the hosted page and the gateway's notification is delivered."""
    from omnipoint.payments.sandbox import charge_pay, notification_build

    body, headers = notification_build(charge_pay(ref=payment.provider_ref))
    response = post_notification(client, body, headers[SIGNATURE_HEADER])
    assert response.status_code == 200, response.json()
    return response


@pytest.fixture
def live_network(transactional_db):
    """The persona network in a database that other threads (a live server, racing workers)
    can see. A transactional test ends with a flush, which also empties the region tree that
    a data migration loaded: put it back first when an earlier test took it."""
    from omnipoint.outlets.models import Region
    from omnipoint.outlets.services import regions_load
    from omnipoint.testing import build_network

    if not Region.objects.exists():
        regions_load(actor=SYSTEM)
    return build_network()
