"""Shared by the console's tests: staff beyond the personas."""

import pytest

from omnipoint.outlets.domain import SYSTEM
from omnipoint.outlets.models import Outlet, Staff
from omnipoint.outlets.services import staff_create


def staff_at(outlet: Outlet, username: str, role: str) -> Staff:
    """A staff member of ``role`` at ``outlet``, named by their username (password ``x``)."""
    return staff_create(
        actor=SYSTEM,
        username=username,
        password="x",
        display_name=username.replace("_", " "),
        role=role,
        outlet=outlet,
    )


@pytest.fixture
def b_clerk(network):  # type: ignore[no-untyped-def]
    """A clerk at outlet B, which no persona holds."""
    return staff_at(network.b, "b_clerk", "outlet_clerk").user
