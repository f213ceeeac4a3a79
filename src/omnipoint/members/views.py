"""The demo's stand-in for the member's phone: the messages the sandbox SMS provider kept.
Mounted at /sandbox/sms/ only while the demo is on (settings.DEMO_MODE)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from omnipoint.members.models import SandboxSms


@require_GET
def sandbox_sms(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_MODE:
        raise Http404
    messages = SandboxSms.objects.order_by("-pk")
    mobile = request.GET.get("mobile", "").strip()[:11]
    if mobile:
        messages = messages.filter(mobile=mobile)
    return render(request, "members/sandbox_sms.html", {"messages": messages[:20], "mobile": mobile})
