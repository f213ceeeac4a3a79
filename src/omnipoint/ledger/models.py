"""A double-entry ledger for everything money-like held for members: points, stored value,
gift and prepaid cards, and the platform's side of each.

Modelled on TigerBeetle: every account keeps four running totals (pending and posted, debits
and credits) changed only by guarded conditional UPDATEs in services.py; every posting moves
one amount from a debit account to a credit account of the same unit, so every posting, and
every linked group of them, balances by construction. Postings are never changed: a pending
posting is resolved by inserting a post or void posting that points at it, at most once
(a unique constraint), and corrections are reversals.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from omnipoint.ledger.domain import AccountKind, Unit

__all__ = ["Account", "AccountKind", "Posting", "PostingState", "Unit"]


class Account(models.Model):
    code = models.CharField(max_length=80, unique=True)  # derived from kind and owner: ledger.domain
    kind = models.CharField(max_length=30, choices=AccountKind.choices, default=AccountKind.OTHER)
    owner_id = models.BigIntegerField(null=True, blank=True)  # the member or staff member it is held for
    unit = models.CharField(max_length=3, choices=Unit.choices)
    name = models.CharField(max_length=120, blank=True)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    # A member's balance is what the platform owes them: credits in, debits out, and it may never
    # go below zero. Platform accounts (cash received, bonus expense) have no such floor.
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="ledger_totals_nonneg",
                condition=Q(
                    debits_pending__gte=0, debits_posted__gte=0, credits_pending__gte=0, credits_posted__gte=0
                ),
            ),
            models.CheckConstraint(
                name="ledger_no_overdraft",
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
            ),
        ]
        indexes = [models.Index(fields=["kind", "owner_id"], name="account_kind_owner")]

    def __str__(self) -> str:
        return self.code

    @property
    def balance(self) -> int:
        """Posted credits less posted debits."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be spent: the balance less what pending postings hold."""
        return self.credits_posted - self.debits_posted - self.debits_pending


class PostingState(models.TextChoices):
    PENDING = "pending", _("Pending")  # a hold: counted in the pending totals until posted or voided
    POSTED = "posted", _("Posted")
    POST_PENDING = "post_pending", _("Posts a pending posting")
    VOID_PENDING = "void_pending", _("Voids a pending posting")


class Posting(models.Model):
    # Chosen by the client and unique: a retry with the same id returns the first result.
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=PostingState.choices)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    unit = models.CharField(max_length=3, choices=Unit.choices)
    code = models.CharField(max_length=30)  # what it is for: topup, bonus, spend, earn, expire, refund...
    reference = models.CharField(max_length=80, blank=True)  # "order:2611220000012345"
    # Set on a post/void: the pending posting it resolves. Unique, so it is resolved once.
    pending = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resolution"
    )
    # Set on a refund: the posting it gives (part of) back, so what was refunded is a sum over
    # a key, never a match on the reference's text.
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    expires_at = models.DateTimeField(null=True, blank=True)  # pending holds lapse (voided) after this
    group = models.CharField(max_length=100, blank=True)  # linked postings share a group: all or none
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="posting_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="posting_two_accounts", condition=~Q(debit=F("credit"))),
        ]
        indexes = [
            models.Index(fields=["kind", "expires_at"], name="posting_pending_expiry"),
            models.Index(fields=["reference"], name="posting_reference"),
        ]
