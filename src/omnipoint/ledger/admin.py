"""The ledger is read-only everywhere but its services; here only superusers audit it."""

from django.contrib import admin

from omnipoint.ledger.models import Account, Posting
from omnipoint.outlets.admin import ScopedAdmin


class LedgerAdmin(ScopedAdmin):
    view_perm = "ledger.audit"  # no role holds it: superusers only


@admin.register(Account)
class AccountAdmin(LedgerAdmin):
    list_display = ["code", "unit", "debits_posted", "credits_posted", "debits_pending", "credits_pending"]
    search_fields = ["code"]


@admin.register(Posting)
class PostingAdmin(LedgerAdmin):
    list_display = ["key", "kind", "debit", "credit", "amount", "unit", "code", "reference", "created_at"]
    list_filter = ["kind", "unit", "code"]
    search_fields = ["key", "reference"]
