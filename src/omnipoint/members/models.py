from django.conf import settings
from django.db import models


class Member(models.Model):
    """One customer across every channel, keyed by mobile number."""

    mobile = models.CharField(max_length=11, unique=True)
    name = models.CharField(max_length=60, blank=True)
    card_code = models.CharField(max_length=20, unique=True)  # shown as a QR at the counter
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    home_outlet = models.ForeignKey(
        "outlets.Outlet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or self.card_code


class LoginCode(models.Model):
    """A one-time code to sign in to the storefront with a mobile number. Only its keyed hash
    is kept; the code goes out by SMS (omnipoint.members.sms) and, only while the demo is on,
    is also shown on screen."""

    mobile = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class SandboxSms(models.Model):
    """A message the sandbox SMS provider "sent": kept only while the demo is on, for the page
    that stands in for the member's phone (/sandbox/sms/)."""

    mobile = models.CharField(max_length=11, db_index=True)
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
