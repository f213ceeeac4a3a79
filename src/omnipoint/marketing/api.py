"""The marketing REST surface. Member-facing routes (claim, my coupons, play) act for the
member behind the login; staff routes act within the staff member's scope."""

from django.http import HttpRequest
from ninja import Query, Router

from omnipoint.core.api import ERRORS, Page
from omnipoint.marketing import selectors, services
from omnipoint.marketing.schemas import (
    AttemptOut,
    CampaignIn,
    CampaignOut,
    ClaimIn,
    CouponOut,
    CouponTemplateIn,
    CouponTemplateOut,
    GameIn,
    GameOut,
    IssueIn,
    PromotionIn,
    PromotionOut,
    PublicGameOut,
)
from omnipoint.members.selectors import member_actor, member_for_user
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["marketing"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


# --- members --------------------------------------------------------------------------------


@router.get("/coupon-templates/claimable", response={200: list[CouponTemplateOut], **ERRORS})
def templates_claimable(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    """Coupons a member may claim now (领券中心)."""
    return page.cut(selectors.coupon_templates_claimable())


@router.post("/coupons/claim", response={201: CouponOut, **ERRORS})
def coupon_claim(request: HttpRequest, payload: ClaimIn):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    return 201, services.coupon_claim(
        actor=member_actor(member), member=member, template_code=payload.template_code
    )


class MineFilter(Page):
    state: str = ""


@router.get("/coupons/mine", response={200: list[CouponOut], **ERRORS})
def coupons_mine(request: HttpRequest, f: Query[MineFilter]):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    return f.cut(selectors.coupon_list_for_member(member=member, state=f.state))


@router.get("/games/{game_id}", response={200: PublicGameOut, **ERRORS})
def game_show(request: HttpRequest, game_id: int):  # type: ignore[no-untyped-def]
    return selectors.game_get(game_id=game_id)


@router.post("/games/{game_id}/play", response={201: AttemptOut, **ERRORS})
def game_play(request: HttpRequest, game_id: int):  # type: ignore[no-untyped-def]
    """Scratch the card or spin the wheel once. What was won is in the answer."""
    member = member_for_user(user=request.user)
    return 201, services.game_play(actor=member_actor(member), member=member, game_id=game_id)


@router.get("/games/{game_id}/attempts/mine", response={200: list[AttemptOut], **ERRORS})
def attempts_mine(request: HttpRequest, game_id: int, page: Query[Page]):  # type: ignore[no-untyped-def]
    member = member_for_user(user=request.user)
    return page.cut(selectors.attempt_list_for_member(member=member, game_id=game_id))


# --- staff ----------------------------------------------------------------------------------


@router.post("/coupon-templates", response={201: CouponTemplateOut, **ERRORS})
def template_create(request: HttpRequest, payload: CouponTemplateIn):  # type: ignore[no-untyped-def]
    """A coupon template owned by a region in the caller's scope (blank region: HQ only)."""
    return 201, services.coupon_template_create(actor=actor(request), **payload.dict())


class ActiveFilter(Page):
    active_only: bool = False


@router.get("/coupon-templates", response={200: list[CouponTemplateOut], **ERRORS})
def template_list(request: HttpRequest, f: Query[ActiveFilter]):  # type: ignore[no-untyped-def]
    return f.cut(selectors.coupon_template_list(actor=actor(request), active_only=f.active_only))


@router.get("/coupon-templates/{template_id}/coupons", response={200: list[CouponOut], **ERRORS})
def template_coupons(request: HttpRequest, template_id: int, page: Query[Page]):  # type: ignore[no-untyped-def]
    return page.cut(selectors.coupon_list(actor=actor(request), template_id=template_id))


@router.post("/coupon-templates/{template_id}/issue", response={201: CouponOut, **ERRORS})
def coupon_issue(request: HttpRequest, template_id: int, payload: IssueIn):  # type: ignore[no-untyped-def]
    """Give one member a coupon (by member id or mobile). Send an `Idempotency-Key` header."""
    return 201, services.coupon_issue(
        actor=actor(request), template_id=template_id, member_id=payload.member_id, mobile=payload.mobile
    )


@router.post("/coupon-templates/{template_id}/campaign", response={200: CampaignOut, **ERRORS})
def coupon_campaign(request: HttpRequest, template_id: int, payload: CampaignIn):  # type: ignore[no-untyped-def]
    """Issue one coupon to each member listed; those at their limit are skipped."""
    result = services.coupons_issue_campaign(
        actor=actor(request), template_id=template_id, member_ids=payload.member_ids
    )
    return {"issued": len(result.issued), "skipped": result.skipped}


@router.post("/promotions", response={201: PromotionOut, **ERRORS})
def promotion_create(request: HttpRequest, payload: PromotionIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    data["channel"] = data["channel"] or ""
    return 201, services.promotion_create(actor=actor(request), **data)


@router.get("/promotions", response={200: list[PromotionOut], **ERRORS})
def promotion_list(request: HttpRequest, f: Query[ActiveFilter]):  # type: ignore[no-untyped-def]
    return f.cut(selectors.promotion_list(actor=actor(request), active_only=f.active_only))


@router.post("/promotions/{promotion_id}/end", response={200: PromotionOut, **ERRORS})
def promotion_end(request: HttpRequest, promotion_id: int):  # type: ignore[no-untyped-def]
    return services.promotion_end(actor=actor(request), promotion_id=promotion_id)


@router.post("/games", response={201: GameOut, **ERRORS})
def game_create(request: HttpRequest, payload: GameIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    prizes = [services.PrizeSpec(**p) for p in data.pop("prizes")]
    game = services.game_create(actor=actor(request), prizes=prizes, **data)
    return 201, selectors.game_list(actor=actor(request)).get(pk=game.pk)


@router.get("/games", response={200: list[GameOut], **ERRORS})
def game_list(request: HttpRequest, page: Query[Page]):  # type: ignore[no-untyped-def]
    return page.cut(selectors.game_list(actor=actor(request)))
