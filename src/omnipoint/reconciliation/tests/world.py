"""A business day of online payments told through the real services, then moved to yesterday
(what the clock would have done), and statements rewritten as a provider might get them wrong."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from omnipoint.members.selectors import actor_for_user
from omnipoint.outlets.domain import SYSTEM, Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import sandbox
from omnipoint.payments import services as payments
from omnipoint.payments.domain import STATEMENT_COLUMNS, STATEMENT_SUMMARY, yuan
from omnipoint.payments.models import Payment, Refund, SandboxCharge, SandboxRefund
from omnipoint.payments.sandbox import SIGNATURE_HEADER
from omnipoint.payments.tests.conftest import make_shopper, notification, place
from omnipoint.reconciliation.domain import BUSINESS_TZ
from omnipoint.testing import Network, build_network, user_of

Rows = list[list[str]]


@dataclass
class Day:
    net: Network
    hq: Actor
    day: date
    paid: list[Payment] = field(default_factory=list)  # notified and applied
    lost: list[Payment] = field(default_factory=list)  # paid at the gateway, never notified
    refunds: list[Refund] = field(default_factory=list)


def notify(payment: Payment) -> Callable[[], Any]:
    body, signature = notification(payment, secret=settings.SANDBOX_PAY_SECRET)
    return lambda: payments.notification_receive(
        actor=SYSTEM, provider="sandbox", body=body, headers={SIGNATURE_HEADER: signature}
    )


def online_payment(net: Network, n: int, *, quantity: int = 1) -> Payment:
    shopper = make_shopper(f"139100002{n:02d}")
    order = place(shopper.user, net.a, sku=net.skus[n % len(net.skus)], quantity=quantity)
    payment = payments.payment_start(actor=actor_for_user(user=shopper.user), order_id=order.pk)
    sandbox.charge_pay(ref=payment.provider_ref)  # the payer pays on the gateway's page
    return payment


def day_build(*, net: Network | None = None, paid: int = 3, lost: int = 1, refunds: int = 1) -> Day:
    """``paid`` orders paid and notified (the first ``refunds`` of them partly refunded), ``lost``
    paid at the gateway whose notification never came; all of it moved to yesterday noon."""
    net = net or build_network()
    hq = actor_get(user=user_of("hq_admin"))
    yesterday = timezone.now().astimezone(BUSINESS_TZ).date() - timedelta(days=1)
    world = Day(net, hq, yesterday)
    for n in range(paid + lost):
        payment = online_payment(net, n, quantity=1 + n % 2)
        if n < paid:
            notify(payment)()
            payment.refresh_from_db()
            world.paid.append(payment)
        else:
            world.lost.append(payment)
    for payment in world.paid[:refunds]:
        world.refunds.append(
            payments.payment_refund(actor=hq, payment_id=payment.pk, amount=1_00, reason="少件")
        )
    to_yesterday(yesterday)
    return world


def to_yesterday(day: date) -> None:
    noon = datetime.combine(day, time(12), tzinfo=BUSINESS_TZ)
    SandboxCharge.objects.filter(paid_at__isnull=False).update(paid_at=noon)
    Payment.objects.filter(succeeded_at__isnull=False).update(succeeded_at=noon)
    SandboxRefund.objects.update(created_at=noon + timedelta(hours=1))
    Refund.objects.update(created_at=noon + timedelta(hours=1))


def read(content: bytes) -> Rows:
    """The data rows of a statement, backticks off (summary rows left out)."""
    rows = [[c.lstrip("`") for c in r] for r in csv.reader(io.StringIO(content.decode()))]
    return rows[1 : rows.index(list(STATEMENT_SUMMARY))]


def write(rows: Rows) -> bytes:
    """A statement of these rows, with the summary they add up to (as a provider would write it)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(STATEMENT_COLUMNS)
    paid = refunded = fees = 0
    for r in rows:
        w.writerow(["`" + c for c in r])
        fees += int(r[10].replace(".", ""))
        if r[4] == "SUCCESS":
            paid += int(r[5].replace(".", ""))
        else:
            refunded += int(r[8].replace(".", ""))
    w.writerow(STATEMENT_SUMMARY)
    w.writerow(["`" + c for c in (str(len(rows)), yuan(paid), yuan(refunded), yuan(fees))])
    return out.getvalue().encode()


def multipart(content: bytes, name: str = "statement.csv") -> tuple[bytes, dict[str, str]]:
    """A multipart body with one file field ``file``, and its Content-Type."""
    boundary = "omnipointboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def api_world(w: Any) -> None:
    """For the API tables (personas, bad input): yesterday's statement imported with one lost
    notification (``recon_lost``); the day before yesterday not imported (``recon_open_day``),
    its statement ready to upload (``recon_file``)."""
    from omnipoint.reconciliation import services
    from omnipoint.reconciliation.models import Difference

    if "recon_day" in w.objects:
        return
    day = day_build(net=w.net, paid=1, lost=1, refunds=0)
    run = services.statement_import(
        actor=SYSTEM, day=day.day, content=sandbox.statement_build(day=day.day)
    ).run
    w.objects["recon_day"] = day.day.isoformat()
    w.objects["recon_open_day"] = (day.day - timedelta(days=1)).isoformat()
    w.objects["recon_file"] = sandbox.statement_build(day=day.day - timedelta(days=1))
    w.objects["recon_lost"] = Difference.objects.get(run=run, kind="lost_notification").pk
