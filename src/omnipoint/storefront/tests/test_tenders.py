"""The checkout's points-then-wallet split, without a database."""

from omnipoint.storefront.tenders import tender_plan, usable_points


def test_points_pay_first_then_the_wallet_then_the_gateway():
    plan = tender_plan(
        total_fen=9500,
        points_balance=1500,
        wallet_fen=5000,
        use_points=True,
        use_wallet=True,
        points_per_yuan=100,
    )
    assert (plan.points, plan.points_fen, plan.wallet_fen, plan.rest_fen) == (1500, 1500, 5000, 3000)
    assert not plan.covered


def test_a_rich_member_pays_it_all_and_never_more_than_the_total():
    plan = tender_plan(
        total_fen=9500,
        points_balance=0,
        wallet_fen=50000,
        use_points=True,
        use_wallet=True,
        points_per_yuan=100,
    )
    assert (plan.points, plan.wallet_fen, plan.rest_fen, plan.covered) == (0, 9500, 0, True)
    only_points = tender_plan(
        total_fen=9500,
        points_balance=20000,
        wallet_fen=50000,
        use_points=True,
        use_wallet=False,
        points_per_yuan=100,
    )
    assert (only_points.points, only_points.wallet_fen, only_points.rest_fen) == (9500, 0, 0)


def test_nothing_is_used_unless_asked():
    plan = tender_plan(
        total_fen=9500,
        points_balance=900,
        wallet_fen=900,
        use_points=False,
        use_wallet=False,
        points_per_yuan=100,
    )
    assert plan.rest_fen == 9500 and plan.points == plan.wallet_fen == 0


def test_points_come_in_steps_worth_whole_fen():
    assert usable_points(balance=1001, due_fen=10_000, points_per_yuan=1000) == 1000  # 10 points per fen
    assert usable_points(balance=7, due_fen=10_000, points_per_yuan=1000) == 0
    assert usable_points(balance=999, due_fen=3, points_per_yuan=1000) == 30
    assert usable_points(balance=5, due_fen=100, points_per_yuan=40) == 4  # 5 would be 12.5 fen
