from datetime import UTC, datetime, timedelta

import pytest

from omnipoint.flashsales.domain import Stand, apportion, common_path, standing


def test_apportion_is_proportional_and_never_more_than_a_weight():
    assert apportion(5, {1: 6, 2: 4}) == {1: 3, 2: 2}
    assert apportion(3, {1: 6, 2: 4}) == {1: 2, 2: 1}
    assert apportion(1, {2: 1, 1: 1}) == {1: 1}  # a tie goes to the lower key
    assert apportion(10, {1: 6, 2: 4}) == {1: 6, 2: 4}
    assert apportion(0, {1: 6}) == {}
    for amount in range(0, 8):
        shares = apportion(amount, {1: 5, 2: 1, 3: 1})
        assert sum(shares.values()) == amount and shares.get(2, 0) <= 1 and shares.get(3, 0) <= 1
    with pytest.raises(ValueError):
        apportion(11, {1: 6, 2: 4})


def test_common_path_is_the_deepest_shared_node():
    assert common_path(["/31/3101/310101/", "/31/3101/310115/"]) == "/31/3101/"
    assert common_path(["/31/3101/310101/", "/32/3201/320102/"]) == "/"
    assert common_path(["/31/3101/310101/"]) == "/31/3101/310101/"


def test_standing_tells_each_buyer_where_they_are():
    now = datetime(2026, 12, 8, 12, tzinfo=UTC)
    base = {"now": now, "starts_at": now - timedelta(minutes=1), "ends_at": now + timedelta(hours=1),
            "is_open": True, "available": 0, "held": 3, "open_claims": 0, "units": 0, "limit": 2,
            "position": None}  # fmt: skip
    assert standing(**base | {"available": 2}).stand == Stand.YOUR_TURN
    assert standing(**base).stand == Stand.FULL
    line = standing(**base | {"position": 3})
    assert line.stand == Stand.IN_LINE and line.params == {"position": 3, "ahead": 2}
    assert standing(**base | {"position": 1, "available": 1}).stand == Stand.YOUR_TURN
    assert standing(**base | {"held": 0}).stand == Stand.SOLD_OUT
    assert standing(**base | {"units": 2, "available": 5}).stand == Stand.LIMIT_REACHED
    assert standing(**base | {"open_claims": 1}).stand == Stand.CLAIMED
    assert standing(**base | {"starts_at": now + timedelta(seconds=30)}).params == {"seconds": 30}
    assert standing(**base | {"is_open": False}).stand == Stand.ENDED
