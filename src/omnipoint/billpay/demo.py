"""The demo's bill payments, told through the services as the platform: the clerk's outlet
takes bills in cash at its counter, the first Shanghai agent point (a 便民服务点) is enrolled
with the default tiered rebate and a float, and a few households' water, power and gas bills
are paid there (the first for a demo member, who then sees it online), each confirmed by the
sandbox biller's signed callback, so the agent's page shows its float down and its rebate up.
Called once by the demo story (``demo.scenario``)."""

from django.conf import settings

from omnipoint.billpay import sandbox, services
from omnipoint.billpay.billers import billers_list
from omnipoint.billpay.models import BillOutlet
from omnipoint.outlets.domain import SystemActor
from omnipoint.outlets.models import Outlet, OutletKind

DEMO = SystemActor(task="demo_billpay")
OPENING_FLOAT = 5_000_00  # fen
FIRST_ACCOUNT = 20  # the seed's accounts below it are the tests' (test_pages_zh pays 0..6)


def _confirm(payment_number: str, bill_ref: str, biller: str) -> None:
    row = sandbox.bill_confirm(bill_ref=bill_ref)
    if row is not None:
        body, headers = sandbox.callback_build(row)
        services.callback_receive(actor=DEMO, biller=biller, body=body, headers=headers)


def demo_billpay_load(*, clerk_outlet_code: str, member_mobile: str) -> int:
    """Returns the number of bills paid. Does nothing without the sandbox billers, or when an
    outlet already takes bills."""
    if not settings.SANDBOX_BILLERS or BillOutlet.objects.exists():
        return 0
    home = Outlet.objects.get(code=clerk_outlet_code)
    agent = (
        Outlet.objects.filter(kind=OutletKind.AGENT_POINT, region_path__startswith="/31/", is_active=True)
        .order_by("code")
        .first()
    )
    if agent is None:
        return 0
    for outlet in (home, agent):
        services.outlet_enrol(actor=DEMO, outlet_id=outlet.pk)
    services.float_fund(actor=DEMO, outlet_id=agent.pk, amount=OPENING_FLOAT, key="demo-opening")
    shanghai = {b.kind: b for b in billers_list(city_code="310100")}
    paid = 0
    plan = [(agent, "electricity", member_mobile), (agent, "water", ""), (agent, "gas", ""),
            (agent, "electricity", ""), (agent, "telecom", ""), (home, "water", member_mobile)]  # fmt: skip
    for i, (outlet, kind, mobile) in enumerate(plan):
        biller = shanghai[kind]
        account = biller.account(FIRST_ACCOUNT + i)  # type: ignore[attr-defined]
        due = biller.lookup(account)
        if due.amount == 0:
            continue
        payment = services.bill_pay(
            actor=DEMO, outlet_id=outlet.pk, biller=biller.code, account=account, amount=due.amount,
            key=f"demo-bill-{i}", mobile=mobile,
        )  # fmt: skip
        _confirm(payment.number, payment.bill_ref, biller.code)
        paid += 1
    return paid
