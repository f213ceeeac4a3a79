import secrets

from django.db import IntegrityError, transaction

from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import Member


def _card_code() -> str:
    return "M" + "".join(secrets.choice("0123456789") for _ in range(15))


def member_get_or_create(*, mobile: str, name: str = "") -> Member:
    """The member with this mobile number, created on first sight (a walk-in at the counter
    who gives their number becomes the same member the storefront knows)."""
    mobile = normalise_mobile(mobile)
    member = Member.objects.filter(mobile=mobile).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            return Member.objects.create(mobile=mobile, name=name[:60], card_code=_card_code())
    except IntegrityError:  # a concurrent first sight of the same number
        return Member.objects.get(mobile=mobile)
