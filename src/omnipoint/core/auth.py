"""Staff sign-in with a password, throttled: the console, the admin and the API token.

Every password sign-in goes through ``ThrottledModelBackend``: it counts the attempt per
account and per client address (omnipoint.core.throttle) before hashing the password, refuses
once a window's limit is reached (so a guesser burns neither tries nor hashing time), and gives
the attempt back when the password was right, so that only failures stay counted.
"""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from omnipoint.core import throttle

THROTTLED_ATTR = "omnipoint_login_throttled"
ACCOUNT, ADDRESS = "staff_login_account", "staff_login_address"


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get("username")
        if username is None or password is None:
            return None
        account = str(username).strip().lower()[:150]
        address = throttle.client_address(request) if request is not None else ""
        counted: list[tuple[str, str]] = []
        for name, subject in ((ADDRESS, address), (ACCOUNT, account)):
            if not subject:
                continue
            if not throttle.hit(name, subject):
                for done, who in counted:  # the refused attempt is not one
                    throttle.forgive(done, who)
                if request is not None:
                    setattr(request, THROTTLED_ATTR, True)
                raise PermissionDenied("too many failed sign-ins")  # stops authenticate()
            counted.append((name, subject))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            for name, subject in counted:
                throttle.forgive(name, subject)
        return user


def login_throttled(request: HttpRequest | None) -> bool:
    return bool(getattr(request, THROTTLED_ATTR, False))


THROTTLED_MESSAGE = _("Too many failed sign-ins. Wait a few minutes and try again.")


class ThrottledAuthenticationForm(AuthenticationForm):
    """The console's sign-in form: says so when sign-in is throttled (``form.throttled``)."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if login_throttled(self.request):
                self.throttled = True
                raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled") from None
            raise


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if login_throttled(self.request):
                raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled") from None
            raise
