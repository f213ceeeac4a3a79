"""Roles, permissions and scope: who may do what, where. Pure rules, no ORM.

Every staff member holds one role at one node of the organisation tree: HQ (the whole
network), a province, a city, a district, or an outlet. The node is their scope: they see and
change only what lies under it. A region node's scope is a prefix of the region path
(``/32/3201/``); an outlet node's scope is that one outlet.
"""

from dataclasses import dataclass
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import PermissionDeniedError


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Role(models.TextChoices):
    HQ_ADMIN = "hq_admin", _("HQ admin")
    PROVINCE_MANAGER = "province_manager", _("Province manager")
    CITY_MANAGER = "city_manager", _("City manager")
    DISTRICT_MANAGER = "district_manager", _("District manager")
    OUTLET_MANAGER = "outlet_manager", _("Outlet manager")
    OUTLET_CLERK = "outlet_clerk", _("Outlet clerk")
    SALESPERSON = "salesperson", _("Salesperson")
    TECHNICIAN = "technician", _("Technician")
    DISTRICT_TECHNICIAN = "district_technician", _("District technician")


# The kind of node each role is held at: None is HQ, "outlet" an outlet, else a region level.
ROLE_NODE: dict[str, str | None] = {
    Role.HQ_ADMIN: None,
    Role.PROVINCE_MANAGER: Level.PROVINCE,
    Role.CITY_MANAGER: Level.CITY,
    Role.DISTRICT_MANAGER: Level.DISTRICT,
    Role.OUTLET_MANAGER: "outlet",
    Role.OUTLET_CLERK: "outlet",
    Role.SALESPERSON: "outlet",
    # Installers and repairers (装维): an outlet's own, or a district's team serving its outlets.
    Role.TECHNICIAN: "outlet",
    Role.DISTRICT_TECHNICIAN: Level.DISTRICT,
}


class Perm:
    NETWORK_VIEW = "network.view"
    OUTLET_EDIT = "outlet.edit"
    CATALOG_EDIT = "catalog.edit"
    PRICE_EDIT = "price.edit"
    STOCK_VIEW = "stock.view"
    STOCK_RECEIVE = "stock.receive"  # goods in, adjustments, safety stock
    STOCK_SELL = "stock.sell"  # reserve, commit, release, counter sale
    TRANSFER = "transfer"  # create, dispatch, receive
    COUNT = "count"  # cycle counts
    STAFF_MANAGE = "staff.manage"  # add staff and assign roles at or under one's own node
    FINANCE_CLOSE = "finance.close"  # close business days, read the books of one's node
    # reconcile with the payment providers: the merchant accounts are the network's, held at HQ
    FINANCE_RECONCILE = "finance.reconcile"
    FINANCE_SETTLE = "finance.settle"  # generate, confirm and pay the statements of one's node
    APPOINTMENT_DESK = "appointment.desk"  # book for a customer, check in, call the queue
    SERVICE_SETUP = "service.setup"  # an outlet's services, timetables and closures
    BILL_PAY = "bill.pay"  # take bill payments at the counter
    IDENTITY_VERIFY = "identity.verify"  # verify a person's identity document at the counter
    IDENTITY_REVOKE = "identity.revoke"  # revoke a verification made in one's area
    PARTNER_MANAGE = "partner.manage"  # the partner systems that may ask who is verified
    TICKET_DESK = "ticket.desk"  # open after-sales tickets for a customer, schedule and assign visits
    TICKET_WORK = "ticket.work"  # a technician moves their own tickets on the handheld
    PARCEL = "parcel"  # accept parcels at the counter, scan them, hand them over by code
    FLASH_SALE = "flash.sale"  # set a pool of outlets' stock aside for a flash sale, end it


_VIEW = {Perm.NETWORK_VIEW, Perm.STOCK_VIEW}
_OUTLET_WORK = _VIEW | {
    Perm.STOCK_SELL,
    Perm.TRANSFER,
    Perm.COUNT,
    Perm.APPOINTMENT_DESK,
    Perm.BILL_PAY,
    Perm.IDENTITY_VERIFY,
    Perm.TICKET_DESK,
    Perm.PARCEL,
}
_MANAGE = _OUTLET_WORK | {
    Perm.STOCK_RECEIVE,
    Perm.STAFF_MANAGE,
    Perm.FINANCE_CLOSE,
    Perm.SERVICE_SETUP,
    Perm.IDENTITY_REVOKE,
}
_REGION = _MANAGE | {Perm.OUTLET_EDIT, Perm.PRICE_EDIT, Perm.FINANCE_SETTLE, Perm.FLASH_SALE}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.HQ_ADMIN: frozenset(_REGION | {Perm.CATALOG_EDIT, Perm.PARTNER_MANAGE, Perm.FINANCE_RECONCILE}),
    Role.PROVINCE_MANAGER: frozenset(_REGION),
    Role.CITY_MANAGER: frozenset(_REGION),
    Role.DISTRICT_MANAGER: frozenset(_MANAGE | {Perm.OUTLET_EDIT}),
    Role.OUTLET_MANAGER: frozenset(_MANAGE),
    Role.OUTLET_CLERK: frozenset(_OUTLET_WORK),
    Role.SALESPERSON: frozenset(_VIEW | {Perm.STOCK_SELL}),
    Role.TECHNICIAN: frozenset(_VIEW | {Perm.TICKET_WORK}),  # stock: the parts at hand
    Role.DISTRICT_TECHNICIAN: frozenset(_VIEW | {Perm.TICKET_WORK}),
}


# Higher roles first. A manager grants a role no higher than their own; a lower number is higher.
ROLE_RANK: dict[str, int] = {
    Role.HQ_ADMIN: 0,
    Role.PROVINCE_MANAGER: 1,
    Role.CITY_MANAGER: 2,
    Role.DISTRICT_MANAGER: 3,
    Role.OUTLET_MANAGER: 4,
    Role.OUTLET_CLERK: 5,
    Role.SALESPERSON: 5,
    Role.TECHNICIAN: 5,
    Role.DISTRICT_TECHNICIAN: 5,
}


def may_grant(actor_role: str | None, role: str) -> bool:
    """Whether a manager holding ``actor_role`` may give (or take away) ``role``: never one
    above their own. ``None`` is a superuser without a staff role: HQ."""
    mine = ROLE_RANK.get(actor_role or Role.HQ_ADMIN)
    return mine is not None and role in ROLE_RANK and ROLE_RANK[role] >= mine


@dataclass(frozen=True)
class Scope:
    """The part of the tree a staff member sees. Exactly one of the two is set."""

    region_path: str | None = None  # "/" is HQ: every path starts with it
    outlet_id: int | None = None

    @property
    def is_hq(self) -> bool:
        return self.region_path == "/"

    def covers_outlet(self, *, outlet_id: int, region_path: str) -> bool:
        if self.outlet_id is not None:
            return outlet_id == self.outlet_id
        return region_path.startswith(self.region_path or "\0")

    def covers_region(self, region_path: str) -> bool:
        """Whether a region lies under this scope (an outlet scope covers no whole region)."""
        return self.region_path is not None and region_path.startswith(self.region_path)


@dataclass(frozen=True)
class Actor:
    """Who is acting: resolved once per request, passed to services and selectors."""

    user_id: int
    staff_id: int | None
    role: str | None
    scope: Scope
    perms: frozenset[str]
    name: str = ""

    is_system: ClassVar[bool] = False
    member_id: ClassVar[None] = None

    def can(self, perm: str) -> bool:
        return perm in self.perms

    def require(self, perm: str) -> None:
        if perm not in self.perms:
            raise PermissionDeniedError(f"your role may not do this ({perm})", code="forbidden", perm=perm)


@dataclass(frozen=True)
class SystemActor:
    """The platform itself acting: a background task (the reservation sweep, the gateway's
    notification, the demo's story), never a person. It sees the whole network and may do
    everything a service allows; ``task`` says which job it is, for the records it leaves."""

    task: str = "system"
    user_id: ClassVar[None] = None
    staff_id: ClassVar[None] = None
    member_id: ClassVar[None] = None
    role: ClassVar[str] = "system"
    scope: ClassVar[Scope] = Scope(region_path="/")
    is_system: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return self.task

    def can(self, perm: str) -> bool:
        return True

    def require(self, perm: str) -> None:
        return None


SYSTEM = SystemActor()


@dataclass(frozen=True)
class MemberActor:
    """A signed-in member acting for themselves (the storefront, the member API): no staff
    scope, no permission; a service given one acts only on that member's own records."""

    user_id: int
    member_id: int
    staff_id: ClassVar[None] = None
    role: ClassVar[None] = None
    is_system: ClassVar[bool] = False

    def can(self, perm: str) -> bool:
        return False

    def require(self, perm: str) -> None:
        raise PermissionDeniedError(f"a member may not do this ({perm})", code="forbidden", perm=perm)


@dataclass(frozen=True)
class GuestActor:
    """Someone acting as neither staff nor member: a visitor not signed in (``GUEST``), or a
    login with no staff role and no member behind it (a partner system's account, kept by its
    ``user_id`` on what it places). A guest may place an order under a mobile number and pay it
    online by giving that number again; nothing else."""

    user_id: int | None = None
    staff_id: ClassVar[None] = None
    member_id: ClassVar[None] = None
    role: ClassVar[None] = None
    is_system: ClassVar[bool] = False

    def can(self, perm: str) -> bool:
        return False

    def require(self, perm: str) -> None:
        raise PermissionDeniedError(f"sign in to do this ({perm})", code="forbidden", perm=perm)


GUEST = GuestActor()


def require_platform(actor: "AnyActor") -> None:
    """What only the platform does (the sweeps, loading reference or demo data, and what other
    apps' services ask for once they authorised the person acting): a person is refused, 403
    ``forbidden``."""
    if not actor.is_system:
        raise PermissionDeniedError("only the platform does this", code="forbidden")


StaffActor = Actor | SystemActor
"""Who may act on the network's side: a staff member or the platform."""

AnyActor = Actor | SystemActor | MemberActor
"""Anyone a service may be asked to act for, once signed in (or the platform)."""

Customer = Actor | SystemActor | MemberActor | GuestActor
"""Whoever may send an order or pay one: ``AnyActor`` or a guest."""


def region_parent_code(code: str, known: set[str]) -> str | None:
    """The parent of a 6-digit division code: district -> city -> province.

    Some districts hang directly under the province (省直辖县级); their city code is unknown.
    """
    if code.endswith("0000"):
        return None
    city = code[:4] + "00"
    if not code.endswith("00") and city in known:
        return city
    return code[:2] + "0000"


def region_level(code: str) -> str:
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.CITY
    return Level.DISTRICT
