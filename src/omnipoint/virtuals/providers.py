"""The provider interface: whoever fulfils a virtual item (a carrier's top-up gateway, a
subscription service, a prepaid-card issuer). Registered by code in ``VirtualsConfig.ready``;
which one fulfils our virtual SKUs is ``settings.VIRTUALS_PROVIDER``."""

from collections.abc import Mapping
from typing import Protocol

from django.conf import settings

from omnipoint.core.errors import NotFoundError
from omnipoint.virtuals.domain import Confirmation, ProviderAnswer


class Provider(Protocol):
    code: str
    signature_header: str

    def request(self, *, merchant_ref: str, sku_code: str, target: str, amount: int) -> ProviderAnswer:
        """Ask for the item; a pending answer is confirmed later by a signed callback."""
        ...

    def cancel(self, *, merchant_ref: str) -> bool:
        """Ask it to drop an item it has not fulfilled: True when it is not (and will not be)
        fulfilled, False when it was."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Confirmation:
        """Read a callback, refusing a forged or stale one (BadCallbackError)."""
        ...


SANDBOX_CODE = "sandbox"  # the sandbox carrier (virtuals.sandbox), offered while SANDBOX_VIRTUALS is on
_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _PROVIDERS[provider.code] = provider


def provider_get(code: str) -> Provider:
    provider = _PROVIDERS.get(code)
    if provider is not None and code == SANDBOX_CODE and not settings.SANDBOX_VIRTUALS:
        provider = None  # the sandbox stands in for a real carrier only when switched on
    if provider is None:
        raise NotFoundError(f"no virtual item provider {code[:30]}", code="provider_not_found")
    return provider


def default_code() -> str:
    return str(settings.VIRTUALS_PROVIDER)
