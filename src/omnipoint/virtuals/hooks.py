"""What virtuals tell the app that asked for a virtual item, which sits above them (orders
register it in OrdersConfig.ready()): it was fulfilled, or refused (the asker refunds).

Told once per item, inside the transaction whose compare-and-set settled it, so a provider's
confirmation racing our timeout is told one outcome only."""

from omnipoint.core.hooks import Hook
from omnipoint.virtuals.domain import VirtualOutcome

VIRTUAL_SETTLED: Hook[[VirtualOutcome], object] = Hook(
    "virtuals.VIRTUAL_SETTLED", "a virtual item was fulfilled or refused"
)
