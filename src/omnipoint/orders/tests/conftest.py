import pytest
from django.contrib.auth import get_user_model

from omnipoint.core.models import ApiToken
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import SYSTEM


@pytest.fixture
def customer(network):
    """A storefront member with an API token."""
    user = get_user_model().objects.create_user(username="customer", password="x")
    member = member_get_or_create(actor=SYSTEM, mobile="13800138000", name="张三")
    member.user = user
    member.save(update_fields=["user"])
    return {"user": user, "member": member, "auth": {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}}
