"""Two services offered at outlet A (and one at C), open round the clock in half-hour slots so
the tests do not depend on the hour they run at; members; the clerk at A."""

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from omnipoint.appointments import services
from omnipoint.appointments.domain import Opening
from omnipoint.appointments.models import Service, Slot
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create, member_user_ensure
from omnipoint.outlets.domain import SYSTEM, Actor, MemberActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

ROUND_THE_CLOCK = [Opening(d, time(0, 0), time(23, 30), 2) for d in range(7)]


@dataclass
class Appts:
    net: Any
    passport: Service
    broadband: Service
    member: Member
    other: Member

    def me(self, member: Member | None = None) -> MemberActor:
        m = member or self.member
        assert m.user_id is not None
        return MemberActor(user_id=m.user_id, member_id=m.pk)

    def staff(self, persona: str) -> Actor:
        return actor_get(user=user_of(persona))

    def slot(self, service: Service | None = None, outlet: Any = None, *, hours: float = 5) -> Slot:
        """The first slot of A (or ``outlet``) starting at least ``hours`` from now."""
        at = timezone.now() + timedelta(hours=hours)
        return (
            Slot.objects.filter(
                service=service or self.passport, outlet=outlet or self.net.a, starts_at__gte=at, is_open=True
            )
            .order_by("starts_at")
            .first()
        )

    def move(self, slot: Slot, *, minutes: float) -> Slot:
        """Time travel for the check-in and no-show rules: the slot starts ``minutes`` from now."""
        start = timezone.now() + timedelta(minutes=minutes)
        Slot.objects.filter(pk=slot.pk).update(starts_at=start, ends_at=start + timedelta(minutes=30))
        slot.refresh_from_db()
        return slot


def make_services(net: Any) -> tuple[Service, Service]:
    passport = services.service_create(
        actor=SYSTEM, code="passport", name="出入境证件代办", name_en="Exit-entry documents", duration_min=120,
        materials=[
            {"code": "id_card", "name": "居民身份证原件", "name_en": "Resident identity card"},
            {"code": "photo", "name": "证件照", "name_en": "ID photo"},
        ],
        handover="post", queue_prefix="A",
    )  # fmt: skip
    broadband = services.service_create(
        actor=SYSTEM, code="broadband", name="宽带报装", name_en="Broadband installation", duration_min=120,
        materials=[], queue_prefix="B",
    )  # fmt: skip
    for outlet, service in ((net.a, passport), (net.a, broadband), (net.c, passport)):
        services.offer_set(actor=SYSTEM, outlet_id=outlet.pk, service_id=service.pk, openings=ROUND_THE_CLOCK)
    return passport, broadband


def member(mobile: str, name: str) -> Member:
    return member_user_ensure(
        actor=SYSTEM, member=member_get_or_create(actor=SYSTEM, mobile=mobile, name=name)
    )


@pytest.fixture
def appts(network) -> Appts:
    passport, broadband = make_services(network)
    return Appts(network, passport, broadband, member("13800000001", "张三"), member("13800000002", "李四"))
