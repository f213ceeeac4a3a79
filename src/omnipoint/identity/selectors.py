"""Identity verification's reads: a member's badge (what the storefront shows), the
verifications made in a staff member's area, a member's consents, partners and the audit of
look-ups for HQ, and the partner a login is."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from omnipoint.core.errors import PermissionDeniedError
from omnipoint.identity.domain import PartnerActor
from omnipoint.identity.models import Consent, Lookup, Partner, Verification
from omnipoint.outlets.domain import Actor, Perm
from omnipoint.outlets.selectors import scope_q


@dataclass(frozen=True)
class Badge:
    """That a member is verified, and where and when: no part of the number."""

    verified_at: datetime
    outlet_name: str


def badge_for_member(*, member_id: int | None) -> Badge | None:
    if member_id is None:
        return None
    live = (
        Verification.objects.filter(member_id=member_id, revoked_at__isnull=True)
        .select_related("outlet")
        .only("verified_at", "outlet__name")
        .first()
    )
    return Badge(live.verified_at, live.outlet.name) if live else None


def verification_list(*, actor: Actor, live_only: bool = False) -> QuerySet[Verification]:
    """The verifications made at outlets in the staff member's area, newest first."""
    actor.require(Perm.IDENTITY_VERIFY)
    qs = Verification.objects.filter(scope_q(actor.scope, "outlet")).select_related("member", "outlet")
    if live_only:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.order_by("-verified_at", "-pk")


def consent_list(*, member_id: int) -> list[tuple[Partner, Consent | None]]:
    """Every active partner, with the member's live leave for it if they gave one."""
    live = {c.partner_id: c for c in Consent.objects.filter(member_id=member_id, withdrawn_at__isnull=True)}
    return [(p, live.get(p.pk)) for p in Partner.objects.filter(is_active=True).order_by("name")]


def _hq(actor: Actor) -> None:
    actor.require(Perm.PARTNER_MANAGE)
    if not actor.scope.is_hq:
        raise PermissionDeniedError("only HQ sees the partners", code="forbidden")


def partner_list(*, actor: Actor) -> QuerySet[Partner]:
    _hq(actor)
    return Partner.objects.order_by("name")


def lookup_list(*, actor: Actor, limit: int = 100) -> list[Lookup]:
    """The latest questions asked of members' verifications (the audit), for HQ."""
    _hq(actor)
    return list(
        Lookup.objects.select_related("partner", "member", "asked_by").order_by("-asked_at", "-pk")[:limit]
    )


def partner_actor(*, user) -> PartnerActor | None:  # type: ignore[no-untyped-def]
    """The partner system a login is, if it is one."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    partner = Partner.objects.filter(user_id=user.pk, is_active=True).only("pk").first()
    return PartnerActor(user_id=user.pk, partner_id=partner.pk) if partner else None
