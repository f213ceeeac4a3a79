from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from omnipoint.core.models import ApiToken
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import SYSTEM


def _member(username: str, mobile: str):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(username=username, password="x")
    member = member_get_or_create(actor=SYSTEM, mobile=mobile, name=username)
    member.user = user
    member.save(update_fields=["user"])
    return {"user": user, "member": member, "auth": {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}}


@pytest.fixture
def customer(network):  # type: ignore[no-untyped-def]
    """A storefront member with an API token."""
    return _member("customer", "13800138000")


@pytest.fixture
def other_customer(network):  # type: ignore[no-untyped-def]
    return _member("other", "13900139000")


@pytest.fixture
def window():  # type: ignore[no-untyped-def]
    now = timezone.now()
    return {
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=30)).isoformat(),
    }
