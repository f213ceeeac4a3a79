import pytest

from omnipoint.core.errors import NotFoundError, PermissionDeniedError
from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Region, Staff
from omnipoint.outlets.selectors import actor_get
from omnipoint.outlets.services import regions_load, staff_create
from omnipoint.testing import user_of

pytestmark = pytest.mark.django_db


def test_only_the_platform_loads_the_region_tree(network):
    hq = actor_get(user=user_of("hq_admin"))
    with pytest.raises(PermissionDeniedError):
        regions_load(actor=hq)  # type: ignore[arg-type]
    assert regions_load(actor=SYSTEM) == 0  # known codes are kept


def test_staff_create_grants_only_at_or_under_the_managers_node_and_role(network):
    def make(actor, username, role, **node):  # type: ignore[no-untyped-def]
        return staff_create(
            actor=actor, username=username, password="x", display_name=username, role=role, **node
        )

    manager = actor_get(user=user_of("outlet_manager"))  # manages outlet A
    assert make(manager, "a2", "outlet_clerk", outlet=network.a).outlet_id == network.a.pk
    with pytest.raises(NotFoundError):
        make(manager, "c2", "outlet_clerk", outlet=network.c)
    with pytest.raises(NotFoundError):  # a node above one's own does not exist for them
        make(manager, "boss", "city_manager", region=Region.objects.get(code="310100"))
    clerk = actor_get(user=user_of("outlet_clerk"))
    with pytest.raises(PermissionDeniedError):
        make(clerk, "a3", "outlet_clerk", outlet=network.a)
    city = actor_get(user=user_of("city_manager"))  # Shanghai
    with pytest.raises(NotFoundError):
        make(city, "nj", "city_manager", region=Region.objects.get(code="320100"))
    with pytest.raises(NotFoundError):
        make(city, "hq2", "hq_admin")
    assert make(SYSTEM, "hq2", "hq_admin").role == "hq_admin"
    assert not Staff.objects.filter(user__username__in=["c2", "boss", "a3", "nj"]).exists()
