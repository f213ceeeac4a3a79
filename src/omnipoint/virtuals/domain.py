"""Virtual items (a mobile top-up, a subscription, a prepaid card): what a provider is asked,
what it answers, and what we decide. Pure: no ORM."""

import re
from dataclasses import dataclass
from typing import Literal

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import DomainError, ValidationError


class VirtualState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the provider")
    FULFILLED = "fulfilled", _("Fulfilled")
    REFUSED = "refused", _("Refused, refunded")


class RefusalReason(models.TextChoices):
    """Why a virtual item was not fulfilled (the line is refunded)."""

    NUMBER_NOT_IN_SERVICE = "number_not_in_service", _("The number is not in service")
    PROVIDER_REFUSED = "provider_refused", _("The provider refused it")
    TIMED_OUT = "timed_out", _("The provider did not confirm in time")


class BadCallbackError(DomainError):
    code = "bad_signature"
    status = 401


class ProviderUnavailableError(DomainError):
    code = "provider_unavailable"
    status = 503


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def topup_target(raw: str) -> str:
    """The mobile number a top-up goes to, as 11 digits (spaces, dashes and +86 removed)."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.match(digits):
        raise ValidationError(
            "a top-up needs the mainland mobile number it goes to", code="invalid_target", target=raw[:20]
        )
    return digits


def mask_target(target: str) -> str:
    return f"{target[:3]}****{target[-4:]}" if len(target) >= 8 else "****"


@dataclass(frozen=True)
class ProviderAnswer:
    """A provider's answer to a request: taken (confirmed later by its callback), done at once,
    or refused with its reason."""

    status: Literal["pending", "fulfilled", "refused"]
    provider_ref: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Confirmation:
    """A provider's signed callback, read and verified."""

    merchant_ref: str
    provider_ref: str
    amount: int
    status: Literal["fulfilled", "refused"]
    nonce: str


@dataclass(frozen=True)
class VirtualOutcome:
    """What became of a virtual item, told to whoever asked for it (``hooks.VIRTUAL_SETTLED``)."""

    fulfilment_id: int
    owner_ref: str
    state: VirtualState
    reason: str  # a RefusalReason when refused, else blank
