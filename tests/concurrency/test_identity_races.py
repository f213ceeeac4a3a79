"""Identity verification under real concurrency on PostgreSQL: two clerks verifying one member at
once, two members verified with one document at once, and two managers revoking one
verification at once. After each: at most one live verification per member and per document,
and every loser told so by its code."""

import pytest

from omnipoint.core.errors import DomainError
from omnipoint.identity import services
from omnipoint.identity.models import Verification
from omnipoint.identity.tests.conftest import NUMBER, OTHER_NUMBER, build_world

from .threads import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _codes(results):
    return sorted(r.code if isinstance(r, DomainError) else "ok" for r in results)


def test_one_member_verified_by_many_clerks_at_once_is_verified_once(network):
    world = build_world(network)
    clerks = ["outlet_clerk", "outlet_manager", "city_manager", "hq_admin"]
    numbers = [NUMBER, OTHER_NUMBER, NUMBER, OTHER_NUMBER]

    def verify(persona, number):
        return lambda: services.verification_record(
            actor=world.staff(persona), member_id=world.member.pk, name="张三", number=number,
            document_matches=True, outlet_id=network.a.pk,
        )  # fmt: skip

    results = run_together([verify(p, n) for p, n in zip(clerks, numbers, strict=True)])
    assert _codes(results).count("ok") == 1, results
    assert set(_codes(results)) <= {"ok", "already_verified", "identity_in_use"}
    assert Verification.objects.filter(member=world.member, revoked_at__isnull=True).count() == 1


def test_one_document_for_many_members_at_once_vouches_for_one(network):
    from omnipoint.members.services import member_get_or_create
    from omnipoint.outlets.domain import SYSTEM

    world = build_world(network)
    members = [member_get_or_create(actor=SYSTEM, mobile=f"1390000000{i}").pk for i in range(6)]
    results = run_together([
        lambda m=m: services.verification_record(
            actor=world.staff("outlet_clerk"), member_id=m, name="张三", number=NUMBER, document_matches=True
        )
        for m in members
    ])  # fmt: skip
    assert _codes(results) == ["identity_in_use"] * 5 + ["ok"], results
    assert Verification.objects.filter(revoked_at__isnull=True).count() == 1


def test_two_managers_revoking_at_once_revoke_once(network):
    world = build_world(network)
    row = services.verification_record(
        actor=world.staff("outlet_clerk"), member_id=world.member.pk, name="张三", number=NUMBER,
        document_matches=True,
    )  # fmt: skip
    managers = ["outlet_manager", "city_manager", "province_manager", "hq_admin"]
    results = run_together([
        lambda p=p: services.verification_revoke(actor=world.staff(p), verification_id=row.pk, reason="other")
        for p in managers
    ])  # fmt: skip
    assert _codes(results) == ["ok"] + ["verification_not_live"] * 3, results
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by_id is not None
