"""Coupons: templates, issuance (claimed by a member, given by staff, in a campaign), expiry.

What bounds a give-away changes only through guarded conditional UPDATEs, checked for exactly
one changed row: a template's issued coupons (``issued_count < budget_count``), a member's
claims of a template. Rows are touched in one order everywhere: a member's own counter row,
then the coupon, then the template."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q

from omnipoint.core.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from omnipoint.marketing.errors import BudgetExhaustedError, ClaimLimitError, CouponExpiredError
from omnipoint.marketing.models import (
    Coupon,
    CouponClaimCount,
    CouponKind,
    CouponSource,
    CouponState,
    CouponTemplate,
)
from omnipoint.marketing.services._shared import (
    MAX_CAMPAIGN_MEMBERS,
    _actor_outlet_path,
    _coupon_code,
    _issuable_by,
    _limit_ids,
    _now,
    _owner_region,
    _window,
)
from omnipoint.members.domain import require_self
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import Actor, MemberActor, Perm, SystemActor, require_platform


def _coupon_terms(
    kind: str, value: int, percent_off: Decimal | None, threshold: int, max_discount: int
) -> tuple[Decimal | None, int]:
    """A template's discount checked for its kind: the percentage and its cap it keeps."""
    if kind in (CouponKind.FIXED, CouponKind.THRESHOLD) and value <= 0:
        raise ValidationError(f"a {kind} coupon takes an amount off (value)", code="invalid_value")
    if kind == CouponKind.THRESHOLD and threshold <= value:
        raise ValidationError("a 满减 coupon's threshold must exceed its value", code="invalid_threshold")
    if kind == CouponKind.PERCENTAGE and (percent_off is None or not 0 < percent_off <= 100):
        raise ValidationError("a percentage coupon needs 0 < percent_off <= 100", code="invalid_value")
    if kind != CouponKind.PERCENTAGE:
        return None, 0
    return percent_off, max_discount


@transaction.atomic
def coupon_template_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    value: int = 0,
    percent_off: Decimal | None = None,
    threshold: int = 0,
    max_discount: int = 0,
    region_code: str = "",
    channels: Sequence[str] = (),
    region_codes: Sequence[str] = (),
    outlet_ids: Sequence[int] = (),
    category_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
    member_tiers: Sequence[str] = (),
    claim_limit: int = 1,
    budget_count: int | None = None,
    budget_amount: int | None = None,
    stackable: bool = False,
    claimable: bool = True,
) -> CouponTemplate:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in CouponKind.values:
        raise ValidationError(f"unknown coupon kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    percent_off, max_discount = _coupon_terms(kind, value, percent_off, threshold, max_discount)
    if claim_limit < 1:
        raise ValidationError("claim_limit must be at least 1", code="invalid_claim_limit")
    if CouponTemplate.objects.filter(code=code).exists():
        raise ConflictError(f"template code {code} is taken", code="duplicate_code")
    ids = _limit_ids(actor, owner_path, channels, region_codes, outlet_ids, category_ids, product_ids)
    return CouponTemplate.objects.create(
        code=code,
        name=name,
        kind=kind,
        value=value,
        percent_off=percent_off,
        threshold=threshold,
        max_discount=max_discount,
        region=region,
        region_path=owner_path,
        channels=sorted(set(channels)),
        outlet_ids=sorted(set(outlet_ids)),
        member_tiers=sorted(set(member_tiers)),
        starts_at=starts_at,
        ends_at=ends_at,
        claim_limit=claim_limit,
        budget_count=budget_count,
        budget_amount=budget_amount,
        stackable=stackable,
        claimable=claimable,
        created_by_id=actor.user_id,
        **ids,
    )


def _take_claim(template: CouponTemplate, member: Member) -> None:
    """One more of this template for this member, within the per-member limit. Guarded."""
    CouponClaimCount.objects.bulk_create(
        [CouponClaimCount(template=template, member=member)], ignore_conflicts=True
    )
    if (
        CouponClaimCount.objects.filter(
            template=template, member=member, count__lt=template.claim_limit
        ).update(count=F("count") + 1)
        != 1
    ):
        raise ClaimLimitError(
            f"at most {template.claim_limit} coupon(s) of '{template.name}' per member",
            limit=template.claim_limit,
        )


def _take_budget(template: CouponTemplate) -> None:
    """One more coupon issued from the template, within its budget. Guarded."""
    if (
        CouponTemplate.objects.filter(pk=template.pk)
        .filter(Q(budget_count__isnull=True) | Q(issued_count__lt=F("budget_count")))
        .update(issued_count=F("issued_count") + 1)
        != 1
    ):
        raise BudgetExhaustedError(f"'{template.name}' has no coupons left", template=template.code)


def _issue(
    template: CouponTemplate,
    member: Member,
    *,
    source: str,
    user_id: int | None,
    now: datetime,
    per_member_limit: bool = True,
) -> Coupon:
    if not template.is_active or now >= template.ends_at:
        raise CouponExpiredError(f"'{template.name}' is no longer offered", template=template.code)
    if per_member_limit:
        _take_claim(template, member)
    _take_budget(template)
    return Coupon.objects.create(
        template=template,
        member=member,
        code=_coupon_code(),
        source=source,
        issued_by_id=user_id,
        expires_at=template.ends_at,
    )


def _template(**lookup: object) -> CouponTemplate:
    template = CouponTemplate.objects.filter(**lookup).first()
    if template is None:
        raise NotFoundError("coupon template not found", code="template_not_found")
    return template


@transaction.atomic
def coupon_claim(
    *, actor: MemberActor | SystemActor, member: Member, template_code: str, now: datetime | None = None
) -> Coupon:
    """A member claims a coupon themselves (领券)."""
    require_self(actor, member.pk)
    template = _template(code=template_code, claimable=True)
    return _issue(template, member, source=CouponSource.CLAIM, user_id=member.user_id, now=_now(now))


def _member(actor: Actor, member_id: int | None, mobile: str) -> Member:
    if member_id is not None:
        member = Member.objects.filter(pk=member_id).first()
        if member is None:
            raise NotFoundError(f"member {member_id} not found", code="member_not_found")
        return member
    if mobile:
        return member_get_or_create(actor=actor, mobile=mobile)
    raise ValidationError("name the member (member_id or mobile)", code="member_required")


@transaction.atomic
def coupon_issue(
    *,
    actor: Actor,
    template_id: int,
    member_id: int | None = None,
    mobile: str = "",
    now: datetime | None = None,
) -> Coupon:
    """Staff give a member a coupon (at the counter, on the hotline). The member's claim limit holds."""
    actor.require(Perm.STOCK_SELL)
    template = _template(pk=template_id)
    if not _issuable_by(actor, template, _actor_outlet_path(actor)):
        raise NotFoundError("coupon template not found", code="template_not_found")
    member = _member(actor, member_id, mobile)
    return _issue(template, member, source=CouponSource.STAFF, user_id=actor.user_id, now=_now(now))


@dataclass
class CampaignResult:
    issued: list[Coupon] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)


def coupons_issue_campaign(
    *, actor: Actor, template_id: int, member_ids: Sequence[int], now: datetime | None = None
) -> CampaignResult:
    """Bulk issuance to a list of members, one coupon each. Members at their claim limit are
    skipped; the run stops when the budget is spent. Each coupon is its own transaction, so a
    retried campaign issues only what is still missing (the claim limit sees to that)."""
    actor.require(Perm.PRICE_EDIT)
    template = _template(pk=template_id)
    if not _issuable_by(actor, template, _actor_outlet_path(actor)):
        raise NotFoundError("coupon template not found", code="template_not_found")
    if not member_ids or len(member_ids) > MAX_CAMPAIGN_MEMBERS:
        raise ValidationError(f"name 1..{MAX_CAMPAIGN_MEMBERS} members", code="invalid_members")
    wanted = list(dict.fromkeys(member_ids))
    members = Member.objects.in_bulk(wanted)
    missing = [m for m in wanted if m not in members]
    if missing:
        raise NotFoundError(f"member {missing[0]} not found", code="member_not_found", member_id=missing[0])
    result = CampaignResult()
    at = _now(now)
    for i, member_id in enumerate(wanted):
        try:
            with transaction.atomic():
                result.issued.append(
                    _issue(
                        template,
                        members[member_id],
                        source=CouponSource.CAMPAIGN,
                        user_id=actor.user_id,
                        now=at,
                    )
                )
        except ClaimLimitError as exc:
            result.skipped.append({"member_id": member_id, "code": exc.code})
        except (BudgetExhaustedError, CouponExpiredError) as exc:
            result.skipped += [{"member_id": m, "code": exc.code} for m in wanted[i:]]
            break
    return result


def coupons_expire(*, actor: SystemActor, now: datetime | None = None) -> int:
    """Issued coupons past their date become expired (held ones follow their order)."""
    require_platform(actor)
    return Coupon.objects.filter(state=CouponState.ISSUED, expires_at__lte=_now(now)).update(
        state=CouponState.EXPIRED
    )
