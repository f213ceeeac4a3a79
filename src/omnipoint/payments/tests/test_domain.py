"""The pure payment rules, without a database."""

import pytest

from omnipoint.payments.domain import RefundExceedsError, allocate_refund, sign, signature_ok


def test_signature_is_hmac_sha256_of_the_raw_body():
    body = b'{"amount":9500}'
    assert signature_ok("k", body, sign("k", body))
    assert signature_ok("k", body, sign("k", body).upper())
    assert not signature_ok("other", body, sign("k", body))
    assert not signature_ok("k", body + b" ", sign("k", body))
    assert not signature_ok("k", body, "")


def test_refund_goes_to_the_most_recent_tender_first():
    tenders = [(3, 50_00), (2, 0), (1, 45_00)]  # most recent first; 2 is already refunded
    assert allocate_refund(tenders, 30_00) == [(3, 30_00)]
    assert allocate_refund(tenders, 60_00) == [(3, 50_00), (1, 10_00)]
    assert allocate_refund(tenders, 95_00) == [(3, 50_00), (1, 45_00)]


@pytest.mark.parametrize("amount", [95_01, 10**9])
def test_refund_beyond_what_was_paid_is_refused(amount):
    with pytest.raises(RefundExceedsError):
        allocate_refund([(1, 95_00)], amount)


@pytest.mark.parametrize("amount", [0, -1])
def test_refund_must_be_positive(amount):
    with pytest.raises(Exception, match="positive"):
        allocate_refund([(1, 95_00)], amount)
