import pytest
from django.db import connection

from omnipoint.core.errors import DomainError
from omnipoint.identity import selectors, services
from omnipoint.identity.models import Consent, Lookup, Verification
from omnipoint.identity.tests.conftest import NUMBER, OTHER_NUMBER
from omnipoint.members.selectors import member_actor
from omnipoint.members.services import member_get_or_create


def _verify(world, persona="outlet_clerk", number=NUMBER, member=None, **kw):
    return services.verification_record(
        actor=world.staff(persona), member_id=(member or world.member).pk, name="张三", number=number,
        document_matches=True, **kw,
    )  # fmt: skip


def test_the_clear_number_is_never_stored(world):
    """Every column of every identity table, read raw: the number appears nowhere, nor its
    birth-date middle; the mask and the hash are all that is kept."""
    _verify(world)
    found = []
    with connection.cursor() as cur:
        for table in [m._meta.db_table for m in (Verification, Consent, Lookup)]:
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
            found += [str(v) for row in cur.fetchall() for v in row]
    assert not [v for v in found if NUMBER in v or "19491231" in v]
    row = Verification.objects.get()
    assert row.number_masked == "110***********002X" and len(row.number_hash) == 64


def test_a_member_is_verified_once_and_a_document_vouches_for_one_member(world):
    _verify(world)
    with pytest.raises(DomainError) as e:
        _verify(world, number=OTHER_NUMBER)
    assert e.value.code == "already_verified"
    other = member_get_or_create(actor=world.staff("outlet_clerk"), mobile="13800000002")
    with pytest.raises(DomainError) as e:
        _verify(world, member=other)
    assert e.value.code == "identity_in_use"
    assert Verification.objects.count() == 1


def test_refusals_change_nothing(world):
    cases = [
        ({"number": "110105194912310021"}, "identity_number_invalid"),
        ({"persona": "other_city_clerk", "outlet_id": world.net.a.pk}, "outlet_not_found"),
        ({"persona": "province_manager"}, "outlet_not_found"),  # no outlet of their own: must say which
    ]
    for kw, code in cases:
        with pytest.raises(DomainError) as e:
            _verify(world, **kw)
        assert e.value.code == code
    with pytest.raises(DomainError) as e:
        services.verification_record(
            actor=world.staff("outlet_clerk"), member_id=world.member.pk, name="张三", number=NUMBER,
            document_matches=False,
        )  # fmt: skip
    assert e.value.code == "document_not_confirmed"
    assert not Verification.objects.exists()


def test_revoke_in_the_managers_area_once_then_verify_again(world):
    row = _verify(world)
    with pytest.raises(DomainError) as e:  # another province's clerk: neither the right nor the area
        services.verification_revoke(
            actor=world.staff("other_city_clerk"), verification_id=row.pk, reason="other"
        )
    assert e.value.code == "forbidden"
    revoked = services.verification_revoke(
        actor=world.staff("outlet_manager"), verification_id=row.pk, reason="wrong_person"
    )
    assert revoked.revoked_at is not None and selectors.badge_for_member(member_id=world.member.pk) is None
    with pytest.raises(DomainError) as e:
        services.verification_revoke(
            actor=world.staff("city_manager"), verification_id=row.pk, reason="other"
        )
    assert e.value.code == "verification_not_live"
    _verify(world)  # the member may be verified again
    assert selectors.badge_for_member(member_id=world.member.pk) is not None


def test_a_partner_is_told_only_with_the_members_consent_and_every_question_is_kept(world):
    actor = selectors.partner_actor(
        user=world.member.user.__class__.objects.get(username="partner-sandbox-bank")
    )
    assert actor is not None
    ask = lambda **kw: services.partner_lookup(actor=actor, mobile=world.member.mobile, **kw).answer  # noqa: E731
    _verify(world)
    assert ask() == "no_consent"
    services.consent_grant(actor=member_actor(world.member), partner_code=world.partner_code)
    assert ask() == "verified"
    assert services.partner_lookup(actor=actor, mobile=world.member.mobile, name="李四").name_matches is False
    services.consent_withdraw(actor=member_actor(world.member), partner_code=world.partner_code)
    assert ask() == "no_consent"
    assert services.partner_lookup(actor=actor, mobile="13900000000").answer == "no_consent"  # nobody
    assert list(Lookup.objects.order_by("pk").values_list("answer", flat=True)) == [
        "no_consent", "verified", "verified", "no_consent", "no_consent",
    ]  # fmt: skip
