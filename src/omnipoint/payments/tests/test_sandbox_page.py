"""The sandbox gateway end to end: the hosted pay page, and its asynchronous signed
notification travelling over real HTTP (a live server) through the task queue."""

from urllib.parse import urlparse

import pytest
from huey.contrib.djhuey import HUEY

from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.payments.models import Payment, PaymentNotification, SandboxCharge
from omnipoint.payments.services import payment_start

from .conftest import make_shopper, place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def huey_immediate():
    """Tasks run at once in the calling thread (after the transaction commits)."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def started(live_network, settings, live_server, huey_immediate):
    settings.SITE_URL = live_server.url
    shopper = make_shopper()
    order = place(shopper.user, live_network.a, sku=live_network.skus[0])
    payment = payment_start(
        actor=actor_for_user(user=shopper.user), order_id=order.pk, return_url="/orders/track"
    )
    return order, payment, urlparse(payment.pay_url).path


def test_hosted_page_shows_the_amount_and_paying_notifies_the_merchant(client, started):
    order, payment, path = started
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥95.00" in html and "确认支付" in html and "沙箱" in html

    response = client.post(path, {"action": "pay"})
    assert response.status_code == 302

    # The gateway's task POSTed a signed notification to our notify URL over HTTP.
    charge = SandboxCharge.objects.get(ref=payment.provider_ref)
    assert charge.state == "paid" and charge.notify_attempts == 1 and charge.notified_at is not None
    note = PaymentNotification.objects.get()
    assert (note.verified, note.outcome, note.payment_id) == (True, "applied", payment.pk)
    order.refresh_from_db()
    assert (order.state, order.payment_state) == ("confirmed", "paid")

    after = client.get(path).content.decode()
    assert "支付成功" in after and 'href="/orders/track"' in after
    again = client.post(path, {"action": "pay"})  # paying twice at the gateway is refused there
    assert again.status_code == 409 and Payment.objects.get().state == "succeeded"


def test_failing_on_the_hosted_page_fails_the_payment(client, started):
    order, payment, path = started
    assert client.post(path, {"action": "fail"}).status_code == 302
    assert Payment.objects.get().state == "failed"
    assert Order.objects.get(pk=order.pk).state == "pending"
    assert "支付失败" in client.get(path).content.decode()


def test_unknown_charge_page_is_not_found(client, live_network):
    assert client.get("/sandbox/pay/SBXnosuch/").status_code == 404
