"""Refusals as the identity pages show them, by the service's stable code, in the reader's
language (the services word their messages in English for API clients and logs)."""

from django.utils.translation import gettext_lazy as _

from omnipoint.core.errors import DomainError

_TEXT = {
    "identity_number_invalid": _("That is not a valid resident identity number: check every digit."),
    "name_invalid": _("Give the name on the document."),
    "document_not_confirmed": _("Confirm that the document matches the person."),
    "already_verified": _("This member is already verified."),
    "identity_in_use": _("This document already verifies another member."),
    "member_not_found": _("No member has this mobile number."),
    "outlet_not_found": _("Outlet not found in your area."),
    "verification_not_found": _("Verification not found in your area."),
    "verification_not_live": _("This verification was already revoked."),
    "reason_invalid": _("Choose a reason."),
    "partner_not_found": _("Unknown partner."),
    "partner_exists": _("A partner of this name exists."),
    "forbidden": _("Your role may not do this."),
    "not_staff": _("This account has no staff role."),
    "invalid_mobile": _("That is not a mainland mobile number."),
}


def error_text(e: DomainError) -> str:
    return str(_TEXT.get(e.code, _("This could not be done.")))
