"""The sandbox gateway's hosted pay page: what the payer sees at WeChat Pay / Alipay."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from omnipoint.core.errors import DomainError
from omnipoint.payments import sandbox


@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        charge = sandbox.charge_get(ref=ref)
    except DomainError as exc:
        return render(request, "payments/sandbox_pay.html", {"error": exc}, status=exc.status)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "pay":
                sandbox.charge_pay(ref=ref)
            elif action == "fail":
                sandbox.charge_fail(ref=ref)
            else:
                return render(request, "payments/sandbox_pay.html", {"charge": charge}, status=400)
            return redirect("payments:sandbox_pay", ref=ref)
        except DomainError as exc:
            error = exc
            charge.refresh_from_db()
    return render(
        request,
        "payments/sandbox_pay.html",
        {"charge": charge, "error": error},
        status=error.status if error else 200,
    )
