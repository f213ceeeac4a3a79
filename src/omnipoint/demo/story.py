"""Who the demo's story is about and what it left behind: its members and the codes it uses,
and the highlights (members' balances, pickup codes, the showroom) read back from the database
for the seed summary and demo_serve's banner."""

from dataclasses import dataclass, field

from django.utils import timezone

from omnipoint.demo.plan import PERSONA_OUTLET
from omnipoint.inventory.models import Transfer
from omnipoint.ledger.models import Posting
from omnipoint.loyalty import selectors as loyalty
from omnipoint.loyalty.models import EarnRule, Tier, TopupPackage
from omnipoint.marketing.models import CouponTemplate, Game, Promotion
from omnipoint.members.models import Member
from omnipoint.orders.models import Order, OrderState, PickTask, TaskState
from omnipoint.outlets.models import Outlet
from omnipoint.showrooms.models import CommissionAccrual, CommissionRule, Showroom

SALESPERSON = "salesperson"
CLERK = "outlet_clerk"
# Who works a location that is not the clerk's: the narrowest persona whose scope covers it.
COVERING_PERSONAS = ["outlet_clerk", "district_manager", "city_manager", "province_manager", "hq_admin"]

WELCOME_COUPON = "welcome-200-20"
WHEEL_COUPON = "wheel-100-10"
WHEEL_GAME = "幸运大转盘"
APPLIANCES = ["appliances", "air-conditioners", "fridges", "washers", "tvs"]


@dataclass(frozen=True)
class DemoMember:
    mobile: str
    name: str
    story: str  # what the seed does for them, shown in the summary


DEMO_MEMBERS = [
    DemoMember(
        "13800000001", "王芳", "counter sale (points), 充100送10, a claimed coupon, a delivery on its way"
    ),
    DemoMember("13800000002", "李强", "充500送60, a pickup paid from the wallet, ready to collect"),
    DemoMember("13800000003", "张伟", "bought an air conditioner in the salesperson's showroom: 银卡"),
    DemoMember("13800000004", "刘洋", "a pickup to pay at the outlet, in the work queue"),
    DemoMember("13800000005", "陈静", "a pickup whose goods travel by transfer from another outlet"),
]
# Its presence means the story is loaded: all of it is written in one transaction.
SCENARIO_MARKER_MOBILE = DEMO_MEMBERS[0].mobile


@dataclass
class ScenarioSummary:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberLine:
    mobile: str
    name: str
    tier: str
    points: int
    wallet: int  # fen, principal and bonus
    story: str


@dataclass
class Highlights:
    """What the demo user needs to try the story: read from the database, never remembered."""

    members: list[MemberLine] = field(default_factory=list)
    ready_pickups: list[tuple[str, str]] = field(default_factory=list)  # (order number, pickup code)
    open_tasks: int = 0
    showroom_path: str = ""
    showroom_owner: str = ""
    wheel_game_id: int | None = None
    claimable_coupon: str = ""


# --- reads -----------------------------------------------------------------------------------


def scenario_is_loaded() -> bool:
    return Member.objects.filter(mobile=SCENARIO_MARKER_MOBILE).exists()


def scenario_counts() -> dict[str, int]:
    return {
        "tiers": Tier.objects.count(),
        "earn_rules": EarnRule.objects.count(),
        "topup_packages": TopupPackage.objects.count(),
        "members": Member.objects.count(),
        "orders": Order.objects.count(),
        "tasks": PickTask.objects.count(),
        "transfers": Transfer.objects.count(),
        "postings": Posting.objects.count(),
        "coupon_templates": CouponTemplate.objects.count(),
        "promotions": Promotion.objects.count(),
        "games": Game.objects.count(),
        "showrooms": Showroom.objects.count(),
        "commission_rules": CommissionRule.objects.count(),
        "commission_accruals": CommissionAccrual.objects.count(),
    }


def scenario_highlights() -> Highlights:
    out = Highlights()
    stories = {m.mobile: m.story for m in DEMO_MEMBERS}
    for member in Member.objects.filter(mobile__in=stories).order_by("mobile"):
        tier = loyalty.member_tier(member=member)
        out.members.append(
            MemberLine(
                mobile=member.mobile,
                name=member.name,
                tier=tier.name if tier else "",
                points=loyalty.points_balance(member=member),
                wallet=loyalty.wallet_balance(member=member)["total"],
                story=stories[member.mobile],
            )
        )
    outlet = Outlet.objects.filter(code=PERSONA_OUTLET).first()
    if outlet is not None:
        out.ready_pickups = list(
            Order.objects.filter(pickup_outlet=outlet, state=OrderState.READY)
            .order_by("pk")
            .values_list("number", "pickup_code")
        )
        out.open_tasks = (
            PickTask.objects.filter(location=outlet)
            .exclude(state__in=[TaskState.DONE, TaskState.CANCELLED, TaskState.HANDED_OVER])
            .count()
        )
    showroom = (
        Showroom.objects.select_related("staff")
        .filter(staff__user__username=SALESPERSON, is_active=True)
        .first()
    )
    if showroom is not None:
        out.showroom_path = f"/shop/s/{showroom.code}/"
        out.showroom_owner = showroom.staff.display_name
    now = timezone.now()
    game = Game.objects.filter(name=WHEEL_GAME, is_active=True, ends_at__gt=now).order_by("pk").first()
    out.wheel_game_id = game.pk if game else None
    template = CouponTemplate.objects.filter(code=WELCOME_COUPON, is_active=True, ends_at__gt=now).first()
    out.claimable_coupon = template.code if template else ""
    return out


def story_lines(h: Highlights, *, base: str = "") -> list[str]:
    """The highlights as the seed summary and demo_serve's banner print them."""
    lines = []
    if h.members:
        lines.append(f"  members         sign in at {base}/shop/member/login/ (the code shows on screen)")
        for m in h.members:
            lines.append(
                f"    {m.mobile}  {m.name}  {m.tier or '-'}, {m.points} points, wallet ¥{m.wallet / 100:.2f}"
            )
            lines.append(f"    {'':11}  {m.story}")
    for number, code in h.ready_pickups[:3]:
        lines.append(f"  pickup code     {code} (order {number}), ready at {PERSONA_OUTLET}:")
        lines.append(f"                  outlet_clerk hands it over at {base}/console/pickup/")
    if h.open_tasks:
        lines.append(f"  work queue      {base}/console/queue/   ({h.open_tasks} open tasks, outlet_clerk)")
    if h.showroom_path:
        lines.append(f"  showroom        {base}{h.showroom_path}   ({h.showroom_owner})")
    if h.claimable_coupon:
        lines.append(f"  coupon centre   {base}/shop/coupons/   ({h.claimable_coupon}, members)")
    if h.wheel_game_id is not None:
        lines.append(f"  lucky wheel     {base}/shop/games/{h.wheel_game_id}/   (members)")
    return lines
