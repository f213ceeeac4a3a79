"""Online charges for money that is no order's (a bill paid online): opened at the online
provider by the owner's reference, asked about, refunded once. The owner keeps the charge's
reference on its own row and hears of the gateway's notification through
``hooks.CHARGE_NOTIFIED``; only the platform calls these, once the owner authorised the person."""

from omnipoint.outlets.domain import SystemActor, require_platform
from omnipoint.payments.domain import ChargeStatus
from omnipoint.payments.providers import OpenedCharge, charge_provider_get, online_gateway_check
from omnipoint.payments.services._shared import ONLINE_PROVIDER, _amount


def charge_open(
    *, actor: SystemActor, merchant_ref: str, amount: int, description: str, return_url: str = ""
) -> OpenedCharge:
    """Ask the online provider to expect ``amount`` fen for ``merchant_ref``; the payer pays on
    the page at ``pay_url``."""
    require_platform(actor)
    online_gateway_check()
    return charge_provider_get(ONLINE_PROVIDER).charge_open(
        merchant_ref=merchant_ref, amount=_amount(amount), description=description[:100],
        return_url=return_url[:200],
    )  # fmt: skip


def charge_query(*, actor: SystemActor, provider_ref: str) -> ChargeStatus:
    """What became of a charge: asked before the owner gives up on it."""
    require_platform(actor)
    return charge_provider_get(ONLINE_PROVIDER).charge_query(provider_ref)


def charge_refund(*, actor: SystemActor, provider_ref: str, amount: int) -> str:
    """Send ``amount`` of a paid charge back to the payer; the provider refuses more than it
    took. Returns the provider's refund reference."""
    require_platform(actor)
    return charge_provider_get(ONLINE_PROVIDER).charge_refund(provider_ref, _amount(amount))
