import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import DomainError, ValidationError
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import LoginCode, Member

MAX_CODE_ATTEMPTS = 5
MAX_CODES_PER_WINDOW = 5  # codes one mobile may ask for while earlier ones are still live


class LoginCodeInvalidError(ValidationError):
    code = "login_code_invalid"


class TooManyCodesError(DomainError):
    code = "login_code_throttled"
    status = 429


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


def _hash(mobile: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def login_code_issue(*, mobile: str) -> tuple[str, datetime]:
    """A six-digit one-time code for signing in with ``mobile``; only its keyed hash is stored.
    Returns the code (the demo shows it on screen: there is no SMS here) and its expiry."""
    mobile = normalise_mobile(mobile)
    now = timezone.now()
    if LoginCode.objects.filter(mobile=mobile, expires_at__gt=now).count() >= MAX_CODES_PER_WINDOW:
        raise TooManyCodesError("too many codes asked for this number; wait a few minutes")
    code = f"{secrets.randbelow(10**6):06d}"
    expires = now + timedelta(seconds=settings.MEMBER_LOGIN_CODE_SECONDS)
    LoginCode.objects.create(mobile=mobile, code_hash=_hash(mobile, code), expires_at=expires)
    return code, expires


def login_code_verify(*, mobile: str, code: str) -> Member:
    """The member signing in with a live code (used once; five tries per code). The member and
    their login are created on first sign-in."""
    mobile = normalise_mobile(mobile)
    code = (code or "").strip()
    with transaction.atomic():
        live = list(
            LoginCode.objects.filter(
                mobile=mobile,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                attempts__lt=MAX_CODE_ATTEMPTS,
            ).order_by("-pk")[:MAX_CODES_PER_WINDOW]
        )
        match = next((c for c in live if hmac.compare_digest(c.code_hash, _hash(mobile, code))), None)
        if (
            match is None
            or LoginCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=timezone.now()) != 1
        ):
            # Every live code of the number pays for a wrong guess: guessing stays at five tries.
            LoginCode.objects.filter(pk__in=[c.pk for c in live]).update(attempts=F("attempts") + 1)
            wrong = True
        else:
            wrong = False
    if wrong:  # outside the atomic block, so the spent attempts stay spent
        raise LoginCodeInvalidError("the code is wrong or has expired")
    member = member_get_or_create(mobile=mobile)
    return member_user_ensure(member=member)


def member_user_ensure(*, member: Member) -> Member:
    """Give the member a login account (no password: they sign in with a code)."""
    if member.user_id is not None:
        return member
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=f"member-{member.mobile}")
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Member.objects.filter(pk=member.pk, user__isnull=True).update(user=user)
    member.refresh_from_db()
    return member
