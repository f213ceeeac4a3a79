"""What the identity rows of tests/api/test_personas.py and test_bad_input.py act on, built on
the shop's world once per test: the shopper verified at A (id_v_a), the Nanjing member at C
(id_v_c), a member not yet verified (id_fresh); two partners, the shopper consenting to the
first (id_partner_1) and not the second (id_partner_2); the first partner's token as the
persona "partner"."""

from typing import Any

from omnipoint.identity import services
from omnipoint.members.models import Member
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import MemberActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.testing import user_of

NUMBERS = ("11010519491231002X", "440524188001010014", "110101199003074477")


def build_identity(w: Any) -> Any:
    if "id_v_a" in w.objects:
        return w
    o, net = w.objects, w.net
    hq = actor_get(user=user_of("hq_admin"))
    p1, token = services.partner_create(actor=hq, name="Sandbox Bank")
    p2, _ = services.partner_create(actor=hq, name="Sandbox Agency")
    o["id_partner_1"], o["id_partner_2"] = p1.code, p2.code  # type: ignore[assignment]
    net.tokens["partner"] = token

    def verify(member_id: int, outlet: Any, number: str) -> int:
        return services.verification_record(
            actor=hq,
            member_id=member_id,
            name="顾客",
            number=number,
            document_matches=True,
            outlet_id=outlet.pk,
        ).pk

    o["id_v_a"] = verify(o["shopper"], net.a, NUMBERS[0])
    o["id_v_c"] = verify(o["nanjing"], net.c, NUMBERS[1])
    o["id_fresh"] = member_get_or_create(actor=hq, mobile="13700000077").pk
    shopper = Member.objects.get(pk=o["shopper"])
    assert shopper.user_id is not None
    services.consent_grant(
        actor=MemberActor(user_id=shopper.user_id, member_id=shopper.pk), partner_code=p1.code
    )
    return w


def verify_body(w: Any, outlet: str = "a") -> dict[str, Any]:
    return {
        "member_id": w.id_fresh, "name": "新顾客", "number": NUMBERS[2], "document_matches": True,
        "outlet_id": getattr(w, outlet).pk,
    }  # fmt: skip
