import pytest
from django.core.exceptions import ImproperlyConfigured

from omnipoint.core.hooks import Hook
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.outlets.hooks import OUTLET_MOVED
from omnipoint.payments.hooks import ORDER_REFUNDED, PAYMENT_APPLIED


def test_a_hook_nobody_registered_refuses_to_be_skipped():
    hook: Hook[[int], int] = Hook("test.NOBODY", "nothing")
    with pytest.raises(ImproperlyConfigured, match="test.NOBODY"):
        hook(1)


def test_a_hook_calls_its_handler_and_keeps_only_one():
    hook: Hook[[int], int] = Hook("test.ONE", "double")

    def double(n: int) -> int:
        return 2 * n

    hook.register(double)
    hook.register(double)  # ready() may run again
    assert hook(21) == 42
    with pytest.raises(ImproperlyConfigured, match="already has a handler"):
        hook.register(lambda n: n)


def test_the_installed_apps_register_their_hooks():
    assert all(hook.registered for hook in (OUTLET_MOVED, MEMBER_SPEND, PAYMENT_APPLIED, ORDER_REFUNDED))
