"""The throttle counter when a first attempt races another: the interleaving that refused a
correct pickup code as locked when several clerks tried it at once, made to happen on purpose."""

from datetime import UTC, datetime

import pytest
from django.db.models import QuerySet

from omnipoint.core import throttle
from omnipoint.core.models import ThrottleCounter

pytestmark = pytest.mark.django_db


def test_a_window_row_inserted_after_our_update_looked_is_counted_on_not_read_as_the_limit(monkeypatch):
    key, window, limit, seconds = throttle._slot("parcel_pickup_code", "PB123456785CN")
    real_update = QuerySet.update

    def update_then_a_rival_inserts(self, **kwargs):  # type: ignore[no-untyped-def]
        done = real_update(self, **kwargs)
        if self.model is ThrottleCounter and not ThrottleCounter.objects.filter(key=key).exists():
            expires = datetime.fromtimestamp((window + 1) * seconds, tz=UTC)
            ThrottleCounter.objects.create(key=key, window=window, count=1, expires_at=expires)
        return done

    monkeypatch.setattr(QuerySet, "update", update_then_a_rival_inserts)
    assert throttle.hit("parcel_pickup_code", "PB123456785CN") is True
    assert ThrottleCounter.objects.get(key=key, window=window).count == 2
    for _ in range(limit - 2):
        assert throttle.hit("parcel_pickup_code", "PB123456785CN") is True
    assert throttle.hit("parcel_pickup_code", "PB123456785CN") is False
    assert ThrottleCounter.objects.get(key=key, window=window).count == limit
