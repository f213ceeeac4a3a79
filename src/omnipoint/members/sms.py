"""Text messages to members (the sign-in code), through the provider named by
``settings.SMS_PROVIDER``: a class with ``send(*, mobile, text)``.

The sandbox provider sends nothing. It logs that a message was due and, only while the demo is
on, logs the text and keeps it for the /sandbox/sms/ page that stands in for the phone. A
deployment sets SMS_PROVIDER to its SMS gateway's adapter.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from omnipoint.members.domain import mask_mobile
from omnipoint.members.models import SandboxSms as SandboxSmsRow

log = logging.getLogger("omnipoint.sms")


class SmsProvider(Protocol):
    def send(self, *, mobile: str, text: str) -> None: ...


class SandboxSms:
    def send(self, *, mobile: str, text: str) -> None:
        if not settings.DEMO_MODE:
            log.warning("sandbox SMS: a message to %s was not sent (no SMS provider)", mask_mobile(mobile))
            return
        log.warning("sandbox SMS to %s: %s", mobile, text)
        SandboxSmsRow.objects.create(mobile=mobile, text=text[:200])


def sms_send(*, mobile: str, text: str) -> None:
    provider: SmsProvider = import_string(settings.SMS_PROVIDER)()
    provider.send(mobile=mobile, text=text)
