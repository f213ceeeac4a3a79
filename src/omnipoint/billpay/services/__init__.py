"""Writes of bill payment, by sub-domain: paying (enrolment, floats, the two-phase payment, the
biller's callback, the sweep, rebates) and ratings (complaints, the monthly stars)."""

from omnipoint.billpay.services.paying import (
    BOOKS,
    bill_pay,
    bill_pay_by_phone,
    bill_pay_online,
    callback_receive,
    float_fund,
    outlet_enrol,
    payment_settle,
    payments_settle_overdue,
    rebates_true_up,
)
from omnipoint.billpay.services.ratings import complaint_record, ratings_recompute

__all__ = [
    "BOOKS",
    "bill_pay",
    "bill_pay_by_phone",
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
