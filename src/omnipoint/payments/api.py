from django.http import HttpRequest
from ninja import Router

from omnipoint.core.api import ERRORS, MAX_ID, ErrorOut
from omnipoint.core.errors import NotFoundError
from omnipoint.members.selectors import actor_for_user
from omnipoint.outlets.domain import Actor, SystemActor
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import services
from omnipoint.payments.sandbox import SIGNATURE_HEADER
from omnipoint.payments.schemas import (
    CaptureIn,
    IntentIn,
    NotifyAckOut,
    PaymentOut,
    RefundIn,
    RefundOut,
    SandboxNotification,
    TenderIn,
)

router = Router(tags=["payments"])
NOTIFY = SystemActor(task="payments.notify")  # the provider is trusted by its signature


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


@router.post("/intents", response={201: PaymentOut, **ERRORS})
def payment_start(request: HttpRequest, payload: IntentIn):  # type: ignore[no-untyped-def]
    """Start an online payment for an order (its member, or staff in scope). The answer's
    `pay_url` is the gateway's hosted page. Send an `Idempotency-Key` header."""
    return 201, services.payment_start(
        actor=actor_for_user(user=request.user),
        order_id=payload.order_id,
        amount=payload.amount,
        return_url=payload.return_url,
    )


@router.post("/capture", response={201: PaymentOut, **ERRORS})
def payment_capture(request: HttpRequest, payload: CaptureIn):  # type: ignore[no-untyped-def]
    """Staff take money in hand: `cash`, `at_outlet` or `cod`. Send an `Idempotency-Key` header."""
    return 201, services.payment_capture(
        actor=actor(request), order_id=payload.order_id, method=payload.method, amount=payload.amount
    )


@router.post("/tenders", response={201: PaymentOut, **ERRORS})
def payment_tender(request: HttpRequest, payload: TenderIn):  # type: ignore[no-untyped-def]
    """Pay (part of) an order from the member's `wallet` or `points` (its own signed-in member,
    or staff at the counter in scope): held now, captured when the order is paid in full,
    released if it is cancelled. More than the balance: 409 `insufficient_balance`. Send an
    `Idempotency-Key` header."""
    return 201, services.payment_tender(
        actor=actor_for_user(user=request.user),
        order_id=payload.order_id,
        method=payload.method,
        amount=payload.amount,
        points=payload.points,
    )


NOTIFY_DOC = {
    "requestBody": {
        "required": True,
        "description": "for the sandbox gateway; other providers send their own format",
        "content": {"application/json": {"schema": SandboxNotification.model_json_schema()}},
    },
    "parameters": [
        {
            "name": SIGNATURE_HEADER,
            "in": "header",
            "required": False,
            "description": "sandbox: hex HMAC-SHA256 of the raw body with the gateway's secret",
            "schema": {"type": "string"},
        }
    ],
}


@router.post(
    "/notify/{provider}",
    auth=None,
    response={200: NotifyAckOut, 401: ErrorOut, **ERRORS},
    openapi_extra=NOTIFY_DOC,
)
def payment_notify(request: HttpRequest, provider: str):  # type: ignore[no-untyped-def]
    """The provider's asynchronous notification (signed; for the sandbox: HMAC-SHA256 of the
    raw body in `X-Sandbox-Signature`). Forged or wrong ones are logged and refused."""
    return services.notification_receive(
        actor=NOTIFY, provider=provider, body=request.body, headers=request.headers
    )


@router.post("/{payment_id}/refund", response={201: RefundOut, **ERRORS})
def payment_refund(request: HttpRequest, payment_id: int, payload: RefundIn):  # type: ignore[no-untyped-def]
    """Refund one tender in part (`amount`) or in full (`full: true`; one of the two is
    required), back through its provider. Refunding an open order in full cancels it. Send an
    `Idempotency-Key`."""
    if not 1 <= payment_id <= MAX_ID:
        raise NotFoundError(f"payment {payment_id} not found", code="payment_not_found")
    return 201, services.payment_refund(
        actor=actor(request),
        payment_id=payment_id,
        amount=payload.amount,
        full=payload.full,
        reason=payload.reason,
    )
