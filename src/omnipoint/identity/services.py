"""Identity verification's writes: a clerk verifies a person at the counter, a manager revokes,
a member gives or withdraws a partner's leave to ask, a partner asks (every question recorded),
HQ adds a partner system. Each authorises its actor and owns its transaction."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from omnipoint.core.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from omnipoint.core.models import ApiToken
from omnipoint.identity.domain import PartnerActor, keyed_hash, name_clean, resident_id_parse
from omnipoint.identity.models import Consent, Lookup, Partner, RevokeReason, Verification
from omnipoint.members.models import Member
from omnipoint.outlets.domain import Actor, MemberActor, Perm, StaffActor
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import scope_q

PARTNER_TOKEN_SECONDS = 365 * 24 * 3600


def _hash_key() -> bytes:
    if settings.IDENTITY_HASH_KEY:
        return settings.IDENTITY_HASH_KEY.encode()
    return salted_hmac("omnipoint.identity", "resident-id", algorithm="sha256").digest()


def _outlet_in_scope(actor: Actor, outlet_id: int | None) -> Outlet:
    outlet_id = outlet_id or actor.scope.outlet_id
    outlet = Outlet.objects.filter(scope_q(actor.scope), pk=outlet_id).first() if outlet_id else None
    if outlet is None:
        raise NotFoundError("no such outlet in your area", code="outlet_not_found")
    return outlet


def verification_record(
    *,
    actor: Actor,
    member_id: int,
    name: str,
    number: str,
    document_matches: bool,
    outlet_id: int | None = None,
) -> Verification:
    """A clerk at ``outlet_id`` (their own outlet when not given) has seen the document, which
    matches the person, and typed its number: checked, then kept masked and hashed only."""
    actor.require(Perm.IDENTITY_VERIFY)
    outlet = _outlet_in_scope(actor, outlet_id)
    if not document_matches:
        raise ValidationError("confirm that the document matches the person", code="document_not_confirmed")
    parsed = resident_id_parse(number, today=timezone.localdate())
    clean_name = name_clean(name)
    if not Member.objects.filter(pk=member_id).exists():
        raise NotFoundError("no such member", code="member_not_found")
    digest = keyed_hash(parsed.number, key=_hash_key())
    try:
        with transaction.atomic():
            return Verification.objects.create(
                member_id=member_id, name=clean_name, number_masked=parsed.masked, number_hash=digest,
                outlet=outlet, verified_by_id=actor.user_id,
            )  # fmt: skip
    except IntegrityError:  # a live verification of this member, or of this number elsewhere
        if Verification.objects.filter(member_id=member_id, revoked_at__isnull=True).exists():
            raise ConflictError("this member is already verified", code="already_verified") from None
        raise ConflictError("this document already verifies another member", code="identity_in_use") from None


def verification_revoke(*, actor: Actor, verification_id: int, reason: str) -> Verification:
    """Revoke a live verification made at an outlet in the manager's area (compare-and-set: of
    two revocations one wins, the other is told it is no longer live)."""
    actor.require(Perm.IDENTITY_REVOKE)
    if reason not in RevokeReason.values:
        raise ValidationError(
            "say why, by one of the reasons", code="reason_invalid", reasons=RevokeReason.values
        )
    row = Verification.objects.filter(scope_q(actor.scope, "outlet"), pk=verification_id).first()
    if row is None:
        raise NotFoundError("no such verification in your area", code="verification_not_found")
    done = Verification.objects.filter(pk=row.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by_id=actor.user_id, revoke_reason=reason
    )
    if done != 1:
        raise InvalidStateError("this verification was already revoked", code="verification_not_live")
    row.refresh_from_db()
    return row


def _partner(code: str) -> Partner:
    partner = Partner.objects.filter(code=code, is_active=True).first()
    if partner is None:
        raise NotFoundError("no such partner", code="partner_not_found")
    return partner


def consent_grant(*, actor: MemberActor, partner_code: str) -> Consent:
    """The member lets ``partner_code`` ask whether they are verified (granting twice keeps the
    first leave)."""
    if not isinstance(actor, MemberActor):
        raise PermissionDeniedError("only the member gives this leave", code="forbidden")
    partner = _partner(partner_code)
    live = Consent.objects.filter(member_id=actor.member_id, partner=partner, withdrawn_at__isnull=True)
    try:
        with transaction.atomic():
            return Consent.objects.create(member_id=actor.member_id, partner=partner)
    except IntegrityError:
        return live.get()


def consent_withdraw(*, actor: MemberActor, partner_code: str) -> bool:
    """The member takes the leave back; whether there was one to take."""
    if not isinstance(actor, MemberActor):
        raise PermissionDeniedError("only the member withdraws this leave", code="forbidden")
    partner = _partner(partner_code)
    return bool(
        Consent.objects.filter(member_id=actor.member_id, partner=partner, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
    )


@dataclass(frozen=True)
class LookupAnswer:
    answer: str  # Lookup.Answer
    verified_at: datetime | None = None
    name_matches: bool | None = None


def partner_lookup(*, actor: PartnerActor, mobile: str, name: str = "") -> LookupAnswer:
    """Whether the member with ``mobile`` is verified, for a partner they consented to; with
    ``name``, whether it is the verified name. Without consent (or with no such member, which
    looks the same) nothing is told. Every question is recorded."""
    if not isinstance(actor, PartnerActor):
        raise PermissionDeniedError("only a partner system asks this", code="forbidden")
    member = Member.objects.filter(mobile=str(mobile or "").strip()).only("pk").first()
    consented = (
        member is not None
        and Consent.objects.filter(
            member=member, partner_id=actor.partner_id, withdrawn_at__isnull=True
        ).exists()
    )
    live = Verification.objects.filter(member=member, revoked_at__isnull=True).first() if consented else None
    if not consented:
        result = LookupAnswer(Lookup.Answer.NO_CONSENT)
    elif live is None:
        result = LookupAnswer(Lookup.Answer.NOT_VERIFIED)
    else:
        matches = name_clean(name) == live.name if name else None
        result = LookupAnswer(Lookup.Answer.VERIFIED, live.verified_at, matches)
    Lookup.objects.create(
        member=member, partner_id=actor.partner_id, asked_by_id=actor.user_id, answer=result.answer
    )
    return result


def member_verification_open(*, actor: Actor, member_id: int) -> Verification | None:
    """Staff opening a member's verification record (the look-up is recorded)."""
    actor.require(Perm.IDENTITY_VERIFY)
    if not Member.objects.filter(pk=member_id).exists():
        raise NotFoundError("no such member", code="member_not_found")
    live = (
        Verification.objects.filter(member_id=member_id, revoked_at__isnull=True)
        .select_related("outlet")
        .first()
    )
    answer = Lookup.Answer.VERIFIED if live else Lookup.Answer.NOT_VERIFIED
    Lookup.objects.create(member_id=member_id, asked_by_id=actor.user_id, answer=answer)
    return live


def partner_create(*, actor: StaffActor, name: str) -> tuple[Partner, str]:
    """HQ adds a partner system: its account and a year's API token, shown once."""
    actor.require(Perm.PARTNER_MANAGE)
    if not actor.scope.is_hq:
        raise PermissionDeniedError("only HQ adds partners", code="forbidden")
    clean = " ".join(str(name or "").split())[:80]
    if not clean:
        raise ValidationError("give the partner a name", code="name_invalid")
    code = slugify(clean, allow_unicode=False)[:40] or f"partner-{secrets.token_hex(4)}"
    if Partner.objects.filter(code=code).exists():
        raise ConflictError("a partner of this name exists", code="partner_exists")
    with transaction.atomic():
        user = get_user_model().objects.create(username=f"partner-{code}")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        partner = Partner.objects.create(code=code, name=clean, user=user)
        token = ApiToken.issue(user, name="partner", seconds=PARTNER_TOKEN_SECONDS)
    return partner, token
