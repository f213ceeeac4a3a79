"""Refusals of flash sales as the console and the shop show them: the stable code in the
reader's language, the service's English message for a code not listed here."""

from django.utils.translation import gettext_lazy

from omnipoint.core.errors import DomainError

_TEXT = {
    "forbidden": gettext_lazy("Your role may not do this."),
    "not_staff": gettext_lazy("This account has no staff role."),
    "not_member": gettext_lazy("Sign in as a member first."),
    "location_not_found": gettext_lazy("Outlet not found in your area."),
    "sku_not_found": gettext_lazy("No such SKU."),
    "insufficient_stock": gettext_lazy("An outlet has less free stock than it is to give."),
    "invalid_window": gettext_lazy("The sale must end after it starts, in the future, within 7 days."),
    "invalid_limit": gettext_lazy("The limit per member is 1 to 10."),
    "invalid_name": gettext_lazy("Give the sale a name."),
    "invalid_sources": gettext_lazy("Choose at least one outlet, each once."),
    "invalid_quantity": gettext_lazy("Check the quantities."),
    "sale_not_found": gettext_lazy("No such flash sale."),
    "sale_ended": gettext_lazy("The flash sale has ended."),
    "sale_not_started": gettext_lazy("The flash sale has not started yet."),
    "flash_limit_reached": gettext_lazy("You have reached the limit per member."),
    "sold_out": gettext_lazy("Sold out."),
    "in_line": gettext_lazy("All taken for now: you are in line, and units may come back."),
    "claim_not_found": gettext_lazy("No such claim."),
    "claim_lapsed": gettext_lazy("Your claim lapsed before you checked out."),
    "pickup_not_in_sale": gettext_lazy("Collect at one of the sale's outlets."),
    "invalid_payment_mode": gettext_lazy("Pay online or at the outlet."),
}


def error_text(e: DomainError) -> str:
    return str(_TEXT.get(e.code, e.message))
