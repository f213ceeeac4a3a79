"""Writes of bill payment, by sub-domain: paying (enrolment, floats, the two-phase payment, the
biller's callback, the sweep, rebates) and ratings (complaints, the monthly stars)."""

from omnipoint.billpay.services.onboarding import NewOutlet, agent_onboard
from omnipoint.billpay.services.online import bill_gateway_sync, bill_pay_gateway
from omnipoint.billpay.services.paying import (
    BOOKS,
    bill_pay,
    bill_pay_by_phone,
    bill_pay_online,
    callback_receive,
    float_fund,
    outlet_enrol,
    rebates_true_up,
)
from omnipoint.billpay.services.ratings import complaint_record, ratings_recompute
from omnipoint.billpay.services.settling import payment_settle, payments_settle_overdue

__all__ = [
    "NewOutlet",
    "agent_onboard",
    "BOOKS",
    "bill_gateway_sync",
    "bill_pay",
    "bill_pay_by_phone",
    "bill_pay_gateway",
    "bill_pay_online",
    "callback_receive",
    "complaint_record",
    "float_fund",
    "outlet_enrol",
    "payment_settle",
    "payments_settle_overdue",
    "ratings_recompute",
    "rebates_true_up",
]
