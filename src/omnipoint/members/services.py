import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core import throttle
from omnipoint.core.errors import ValidationError
from omnipoint.core.throttle import ThrottledError
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.models import LoginCode, Member
from omnipoint.members.sms import sms_send
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor, require_platform

SIGN_IN = SystemActor(task="member sign-in")  # what the sign-in doors (shop, API) act as
MAX_CODE_ATTEMPTS = 5  # tries per code; the throttles below bound them per mobile and address
CODES_ALIVE = 5  # the newest live codes of a number that a sign-in is compared with


class LoginCodeInvalidError(ValidationError):
    code = "login_code_invalid"


class TooManyCodesError(ThrottledError):
    code = "login_code_throttled"


class TooManyAttemptsError(ThrottledError):
    code = "login_attempts_throttled"


def _card_code() -> str:
    return "M" + "".join(secrets.choice("0123456789") for _ in range(15))


def member_get_or_create(*, actor: StaffActor, mobile: str, name: str = "") -> Member:
    """The member with this mobile number, created on first sight (a walk-in at the counter
    who gives their number becomes the same member the storefront knows)."""
    actor.require(Perm.STOCK_SELL)
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


def login_code_issue(*, actor: SystemActor, mobile: str, client: str = "") -> tuple[str, datetime]:
    """A six-digit one-time code for signing in with ``mobile``, sent to it by SMS; only its
    keyed hash is stored. Codes asked for are limited per mobile number and per client address
    (``client``). Returns the code (the caller shows it only while the demo is on) and its
    expiry."""
    require_platform(actor)
    mobile = normalise_mobile(mobile)
    throttle.check(
        [("member_code_address", client), ("member_code_mobile", mobile)],
        TooManyCodesError,
        "too many codes asked for; wait a few minutes",
    )
    code = f"{secrets.randbelow(10**6):06d}"
    expires = timezone.now() + timedelta(seconds=settings.MEMBER_LOGIN_CODE_SECONDS)
    LoginCode.objects.create(mobile=mobile, code_hash=_hash(mobile, code), expires_at=expires)
    minutes = max(1, settings.MEMBER_LOGIN_CODE_SECONDS // 60)
    sms_send(
        mobile=mobile, text=f"【Omnipoint】您的登录验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。"
    )
    return code, expires


def login_code_verify(*, actor: SystemActor, mobile: str, code: str, client: str = "") -> Member:
    """The member signing in with a live code (used once). Attempts are counted, atomically,
    per mobile number and per client address before the code is compared: past the limit the
    attempt is refused (429) whatever the code. The member and their login are created on
    first sign-in."""
    require_platform(actor)
    mobile = normalise_mobile(mobile)
    code = (code or "").strip()
    throttle.check(
        [("member_login_address", client), ("member_login_mobile", mobile)],
        TooManyAttemptsError,
        "too many sign-in attempts; wait a few minutes",
    )
    with transaction.atomic():
        live = list(
            LoginCode.objects.filter(
                mobile=mobile,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                attempts__lt=MAX_CODE_ATTEMPTS,
            ).order_by("-pk")[:CODES_ALIVE]
        )
        match = next((c for c in live if hmac.compare_digest(c.code_hash, _hash(mobile, code))), None)
        won = (
            match is not None
            and LoginCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=timezone.now())
            == 1
        )
        if not won:
            # Every live code of the number pays for a wrong guess.
            LoginCode.objects.filter(pk__in=[c.pk for c in live]).update(attempts=F("attempts") + 1)
    if not won:  # outside the atomic block, so the spent attempts stay spent
        raise LoginCodeInvalidError("the code is wrong or has expired")
    member = member_get_or_create(actor=actor, mobile=mobile)
    return member_user_ensure(actor=actor, member=member)


def member_user_ensure(*, actor: SystemActor, member: Member) -> Member:
    """Give the member a login account (no password: they sign in with a code)."""
    require_platform(actor)
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
