"""Refusals of bill payment as the console shows them: the stable code in the reader's
language, the service's English message for a code not listed here."""

from typing import Any

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "outlet_not_found": gettext_lazy("Outlet not found in your area."),
    "billpay_not_offered": gettext_lazy("This outlet does not take bill payments."),
    "biller_not_found": gettext_lazy("Choose a biller from the list."),
    "malformed_account": gettext_lazy(
        "This is not an account number of this biller: check it digit by digit."
    ),
    "account_not_found": gettext_lazy("The biller knows no such account."),
    "account_closed": gettext_lazy("The biller says this account is closed."),
    "nothing_due": gettext_lazy("Nothing is due on this account."),
    "amount_mismatch": gettext_lazy("The amount is not what the bill says: look the bill up again."),
    "invalid_amount": gettext_lazy("Enter an amount in yuan."),
    "bill_already_paid": gettext_lazy("This bill is being paid or was paid already."),
    "float_short": gettext_lazy("The float does not cover this bill: top the float up first."),
    "not_an_agent": gettext_lazy("Only an agent outlet holds a float."),
    "payment_not_found": gettext_lazy("Bill payment not found."),
    "idempotency_key_reused": gettext_lazy("This form was already sent for another payment: start again."),
    "invalid_input": gettext_lazy("Check what you entered."),
    "invalid_schedule": gettext_lazy(
        "Write the tiers as threshold:fen per bill, from 0 up, for example 0:20, 500:30."
    ),
    "invalid_reason": gettext_lazy("Say in a few words what went wrong."),
    "no_outlet": gettext_lazy("This bill was paid online, at no outlet."),
    "invalid_key": gettext_lazy("This form has expired: open the page again."),
    "insufficient_balance": gettext_lazy("Your wallet does not hold enough for this bill."),
    "invalid_mobile": gettext_lazy("This is not a mainland mobile number."),
}


def error_text(error: DomainError) -> str:
    template = _TEXT.get(error.code)
    if template is None:
        return error.message
    details: dict[str, Any] = dict(error.details)
    try:
        return str(template) % details
    except (KeyError, TypeError, ValueError):
        return error.message
