from ninja import Schema


class VirtualAckOut(Schema):
    code: str
    outcome: str  # the item's state after the callback: fulfilled or refused


class SandboxCallback(Schema):
    """The sandbox provider's callback body (signed: X-Virtual-Signature, hex HMAC-SHA256)."""

    merchant_ref: str
    txn_ref: str
    amount: int
    status: str  # SUCCESS or FAILED
    nonce: str
    ts: int  # unix seconds: older than five minutes is refused
