"""Reads of settlement, scoped: staff see the parties settled at or under their node (an outlet's
manager, the statements of their outlet: a franchisee's, its agent rebates, its salespeople's),
HQ everything. Reading needs ``finance.close``; outside the scope is not found."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from omnipoint.catalog.models import Category, Supplier
from omnipoint.core.errors import NotFoundError
from omnipoint.outlets.domain import Perm, Role, Scope, StaffActor
from omnipoint.outlets.models import Outlet, OutletKind, Staff
from omnipoint.outlets.selectors import scope_q
from omnipoint.settlement.models import Party, PartyRate, SettlementJob, Statement

MAX_LIST = 500


def covers(scope: Scope, *, region_path: str, outlet_id: int | None) -> bool:
    if scope.outlet_id is not None:
        return outlet_id == scope.outlet_id
    return region_path.startswith(scope.region_path or "\0")


def scope_filter(scope: Scope) -> Q:
    if scope.outlet_id is not None:
        return Q(outlet_id=scope.outlet_id)
    if scope.is_hq:
        return Q()
    return Q(region_path__startswith=scope.region_path or "\0")


def parties_list(*, actor: StaffActor) -> QuerySet[Party]:
    actor.require(Perm.FINANCE_CLOSE)
    return Party.objects.filter(scope_filter(actor.scope)).select_related("outlet", "staff", "supplier")


def party_get(*, actor: StaffActor, party_id: int) -> Party:
    party = parties_list(actor=actor).filter(pk=party_id).first()
    if party is None:
        raise NotFoundError(f"party {party_id} not found", code="party_not_found")
    return party


def party_rates(*, party: Party) -> QuerySet[PartyRate]:
    return party.rates.select_related("category").order_by("category__code")


@dataclass(frozen=True)
class PartyChoices:
    """What a new party may be, in the actor's scope (the console's form)."""

    suppliers: list[Supplier]  # concession suppliers
    outlets: list[Outlet]  # franchise and agent outlets (an agent is any outlet enrolled for bills)
    salespeople: list[Staff]
    categories: list[Category]


def party_choices(*, actor: StaffActor) -> PartyChoices:
    actor.require(Perm.FINANCE_SETTLE)
    outlets = Outlet.objects.filter(scope_q(actor.scope), is_active=True).order_by("code")
    salespeople = Staff.objects.filter(role=Role.SALESPERSON, outlet__in=outlets).select_related("outlet")
    return PartyChoices(
        suppliers=list(Supplier.objects.filter(is_concession=True).order_by("name")),
        outlets=list(outlets.exclude(kind=OutletKind.WAREHOUSE)),
        salespeople=list(salespeople.order_by("outlet__code", "display_name")),
        categories=list(Category.objects.order_by("code")),
    )


def statements_list(
    *, actor: StaffActor, period: str = "", kind: str = "", state: str = ""
) -> QuerySet[Statement]:
    """The statements in scope, the latest period first."""
    actor.require(Perm.FINANCE_CLOSE)
    qs = Statement.objects.filter(scope_filter(actor.scope)).select_related("party")
    if period:
        qs = qs.filter(period=period)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs


def statement_get(*, actor: StaffActor, statement_id: int) -> Statement:
    statement = statements_list(actor=actor).filter(pk=statement_id).first()
    if statement is None:
        raise NotFoundError(f"statement {statement_id} not found", code="statement_not_found")
    return statement


def periods_list(*, actor: StaffActor) -> list[str]:
    """The periods with statements in scope, the latest first."""
    qs = statements_list(actor=actor).order_by("-starts_on", "period").values_list("period", flat=True)
    return list(dict.fromkeys(qs[:MAX_LIST]))


def job_get(*, actor: StaffActor, job_id: int) -> SettlementJob:
    """A job the actor started."""
    job = SettlementJob.objects.filter(pk=job_id, created_by_id=actor.user_id).first()
    if job is None:
        raise NotFoundError(f"job {job_id} not found", code="job_not_found")
    return job
