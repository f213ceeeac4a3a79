from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RevokeReason(models.TextChoices):
    """Why a verification no longer stands."""

    DOCUMENT_DOUBTFUL = "document_doubtful", _("The document is doubtful")
    WRONG_PERSON = "wrong_person", _("Verified the wrong person")
    MEMBER_ASKED = "member_asked", _("The member asked")
    OTHER = "other", pgettext_lazy("identity", "Other")


class Partner(models.Model):
    """A partner system that may ask whether a member is verified (a bank opening an account,
    an agency): it signs in with its own API token, held by ``user``."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Verification(models.Model):
    """A person verified at a counter: a clerk compared the document with the person and typed
    the number, which passed its check digit. Only its masked form and a keyed hash are kept.
    At most one live verification per member, and per person (the same number cannot vouch for
    two members at once); revoking keeps the row, with who, when and why."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=40)
    number_masked = models.CharField(max_length=18)
    number_hash = models.CharField(max_length=64, db_index=True)
    outlet = models.ForeignKey("outlets.Outlet", on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=20, choices=RevokeReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(revoked_at__isnull=True), name="identity_one_live_per_member"
            ),
            models.UniqueConstraint(
                fields=["number_hash"],
                condition=Q(revoked_at__isnull=True),
                name="identity_one_live_per_person",
            ),
        ]


class Consent(models.Model):
    """A member's leave for one partner to ask whether they are verified; withdrawing keeps the
    row (``withdrawn_at``) so that past look-ups stay explained."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="consents")
    granted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "partner"],
                condition=Q(withdrawn_at__isnull=True),
                name="identity_one_live_consent",
            )
        ]


class Lookup(models.Model):
    """Every question asked of a member's verification (insert-only): by a partner through the
    API, or by staff opening a member's record; with what was answered."""

    class Answer(models.TextChoices):
        VERIFIED = "verified", pgettext_lazy("identity", "Verified")
        NOT_VERIFIED = "not_verified", _("Not verified")
        NO_CONSENT = "no_consent", _("No consent")

    member = models.ForeignKey("members.Member", null=True, on_delete=models.SET_NULL, related_name="+")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=16, choices=Answer.choices)
    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)
