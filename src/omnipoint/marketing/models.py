"""Coupons, promotions and games.

Counters that bound what is given away (a template's issued coupons and discount budget, a
member's claims, a prize's stock, a game's awards and a player's attempts) change only
through guarded conditional UPDATEs in services.py; the CheckConstraints are the backstop.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.core.channels import Channel
from omnipoint.marketing.domain import CouponKind as K
from omnipoint.marketing.domain import PromotionKind as P
from omnipoint.members.models import Member
from omnipoint.outlets.models import Outlet, Region


class CouponKind(models.TextChoices):
    FIXED = K.FIXED, _("Amount off")
    PERCENTAGE = K.PERCENTAGE, _("Percentage off")
    THRESHOLD = K.THRESHOLD, _("Spend and save (满减)")
    FREE_DELIVERY = K.FREE_DELIVERY, _("Free delivery")


class OfferLimits(models.Model):
    """Where and for whom an offer holds; empty lists mean "any". The owning region (null:
    HQ, the whole network) bounds it too: staff create offers only inside their scope."""

    name = models.CharField(max_length=80)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=40, default="/", db_index=True)  # the owner's path
    region_paths = models.JSONField(default=list, blank=True)  # narrower path prefixes
    category_ids = models.JSONField(default=list, blank=True)
    product_ids = models.JSONField(default=list, blank=True)
    member_tiers = models.JSONField(default=list, blank=True)  # tier codes (the loyalty work defines them)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class CouponTemplate(OfferLimits):
    code = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=14, choices=CouponKind.choices)
    channels = models.JSONField(default=list, blank=True)
    outlet_ids = models.JSONField(default=list, blank=True)
    value = models.PositiveBigIntegerField(default=0)  # fixed / threshold: fen off
    percent_off = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    threshold = models.PositiveBigIntegerField(default=0)  # minimum eligible spend, fen
    max_discount = models.PositiveBigIntegerField(default=0)  # percentage cap, fen; 0 none
    stackable = models.BooleanField(default=False)  # combines with other goods coupons
    claimable = models.BooleanField(default=True)  # members may claim it themselves
    claim_limit = models.PositiveIntegerField(default=1)  # coupons per member
    budget_count = models.PositiveIntegerField(null=True, blank=True)  # coupons to issue; null: no cap
    budget_amount = models.PositiveBigIntegerField(null=True, blank=True)  # discount to give, fen
    issued_count = models.PositiveIntegerField(default=0)
    # Discount promised by held and redeemed coupons; released coupons give theirs back.
    discount_committed = models.PositiveBigIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="coupon_tpl_within_budget",
                condition=Q(budget_count__isnull=True) | Q(issued_count__lte=F("budget_count")),
            ),
            models.CheckConstraint(
                name="coupon_tpl_within_amount",
                condition=Q(budget_amount__isnull=True) | Q(discount_committed__lte=F("budget_amount")),
            ),
            models.CheckConstraint(
                name="coupon_tpl_percent",
                condition=Q(percent_off__isnull=True) | Q(percent_off__gt=0, percent_off__lte=100),
            ),
        ]


class CouponState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    HELD = "held", _("Held by an order")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")


class CouponSource(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    STAFF = "staff", _("Issued by staff")
    CAMPAIGN = "campaign", _("Campaign")
    GAME = "game", _("Game prize")


class Coupon(models.Model):
    """One issued coupon. Its state changes only by compare-and-set in services.py:
    issued -> held (checkout) -> redeemed (paid / completed); held or redeemed -> issued when
    the order is cancelled; issued -> expired by the sweep."""

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="coupons")
    code = models.CharField(max_length=16, unique=True)
    state = models.CharField(max_length=10, choices=CouponState.choices, default=CouponState.ISSUED)
    source = models.CharField(max_length=10, choices=CouponSource.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons"
    )
    discount = models.PositiveBigIntegerField(default=0)  # what it took off its order
    expires_at = models.DateTimeField()
    issued_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "state"], name="coupon_member_state")]
        constraints = [
            models.CheckConstraint(
                name="coupon_order_iff_used",
                condition=Q(state__in=["held", "redeemed"], order__isnull=False)
                | (~Q(state__in=["held", "redeemed"]) & Q(order__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponClaimCount(models.Model):
    """How many coupons of a template a member holds from it: the guarded per-member limit."""

    template = models.ForeignKey(CouponTemplate, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "member"], name="coupon_claim_unique"),
        ]


class PromotionKind(models.TextChoices):
    DISCOUNT = P.DISCOUNT, _("Discount")
    THRESHOLD = P.THRESHOLD, _("Spend and save (满减)")
    BUNDLE = P.BUNDLE, _("Bundle price")
    BUY_X_GET_Y = P.BUY_X_GET_Y, _("Buy X get Y")


class Promotion(OfferLimits):
    """An automatic rule. ``channel`` blank: every channel alike (同价); set: that channel only."""

    kind = models.CharField(max_length=12, choices=PromotionKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True, default="")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    percent_off = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount_off = models.PositiveBigIntegerField(default=0)
    threshold = models.PositiveBigIntegerField(default=0)
    repeat = models.BooleanField(default=False)
    bundle_quantity = models.PositiveIntegerField(default=0)
    bundle_price = models.PositiveBigIntegerField(default=0)
    buy_quantity = models.PositiveIntegerField(default=0)
    get_quantity = models.PositiveIntegerField(default=0)
    stackable = models.BooleanField(default=True)
    priority = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["is_active", "ends_at"], name="promotion_live")]


class GameKind(models.TextChoices):
    SCRATCH_CARD = "scratch_card", _("Scratch card")
    LUCKY_WHEEL = "lucky_wheel", _("Lucky wheel")


class Game(models.Model):
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=14, choices=GameKind.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=40, default="/")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    attempts_per_member = models.PositiveIntegerField(default=1)
    no_prize_weight = models.PositiveIntegerField(default=0)  # the "thanks for playing" slice
    budget_count = models.PositiveIntegerField(null=True, blank=True)  # prizes in all; null: stock only
    awarded_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="game_within_budget",
                condition=Q(budget_count__isnull=True) | Q(awarded_count__lte=F("budget_count")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PrizeKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    POINTS = "points", _("Points")
    ITEM = "item", _("Physical prize")


class Prize(models.Model):
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=PrizeKind.choices)
    weight = models.PositiveIntegerField()
    stock = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    coupon_template = models.ForeignKey(
        CouponTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="prize_remaining_le_stock", condition=Q(remaining__lte=F("stock"))),
        ]


class GamePlayer(models.Model):
    """A member's attempts at a game: the guarded per-member limit."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["game", "member"], name="game_player_unique")]


class Delivery(models.TextChoices):
    NONE = "none", _("Nothing to deliver")
    DELIVERED = "delivered", _("Delivered")  # a coupon issued, points credited
    PENDING = "pending", _("Awaiting delivery")  # points waiting for the loyalty ledger
    TO_COLLECT = "to_collect", _("To collect at an outlet")  # a physical prize


class GameAttempt(models.Model):
    """One play, kept: what was drawn, what was awarded, and how it reaches the member."""

    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    prize = models.ForeignKey(Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drawn_prize = models.ForeignKey(
        Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # what the roll landed on, even when its stock had run out
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(default=0)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE)
    note = models.CharField(max_length=200, blank=True)  # attempts before ``why``: English text
    # Why the drawn prize was not given (core.explain.Explanation as JSON), worded when shown.
    why = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["game", "member"], name="attempt_game_member")]
