"""Virtual items through the REST API (/api/v1/virtuals): the providers' signed callback. Items
are asked for by orders (an order's virtual lines, once paid) and shown on the order."""

from django.http import HttpRequest
from ninja import Router

from omnipoint.core.api import ERRORS, ErrorOut
from omnipoint.outlets.domain import SystemActor
from omnipoint.virtuals import providers, services
from omnipoint.virtuals.schemas import SandboxCallback, VirtualAckOut

router = Router(tags=["virtuals"])

CALLBACK_DOC = {
    "requestBody": {
        "required": True,
        "description": "for the sandbox provider; other providers send their own format",
        "content": {"application/json": {"schema": SandboxCallback.model_json_schema()}},
    },
}


@router.post(
    "/callback/{provider}",
    auth=None,
    response={200: VirtualAckOut, 401: ErrorOut, **ERRORS},
    openapi_extra=CALLBACK_DOC,
)
def virtual_callback(request: HttpRequest, provider: str):  # type: ignore[no-untyped-def]
    """A provider tells what became of a virtual item (signed; the sandbox's: hex HMAC-SHA256 of
    the raw body in `X-Virtual-Signature`). Forged, stale, replayed or mismatched callbacks are
    refused and change nothing."""
    header = providers.provider_get(provider[:30]).signature_header
    outcome = services.virtual_callback_receive(
        actor=SystemActor(task="virtuals.callback"),
        provider=provider[:30],
        body=request.body,
        headers={header: request.headers.get(header, "")},
    )
    return {"code": "SUCCESS", "outcome": outcome}
