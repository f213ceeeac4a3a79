"""Reports read from the replica when one is configured, and from the primary otherwise."""

from unittest import mock

import pytest
from django.db import connections, router

from omnipoint.core.replica import REPLICA, ReplicaRouter, report_reads
from omnipoint.outlets.models import Outlet


def test_without_a_replica_every_read_stays_on_the_primary():
    assert REPLICA not in connections.databases
    with report_reads():
        assert router.db_for_read(Outlet) == "default"
    assert router.db_for_write(Outlet) == "default"


@pytest.mark.django_db
def test_a_dashboard_read_without_a_replica_runs_on_the_primary():
    with report_reads():
        assert Outlet.objects.count() == 0


def test_with_a_replica_only_report_reads_go_there():
    r = ReplicaRouter()
    with mock.patch.dict(connections.databases, {REPLICA: dict(connections.databases["default"])}):
        assert r.db_for_read(Outlet) is None
        with report_reads():
            assert r.db_for_read(Outlet) == REPLICA
            assert r.db_for_write(Outlet) is None
        assert r.db_for_read(Outlet) is None
        assert r.allow_migrate(REPLICA, "outlets") is False
