"""The cheap probes (issue 7, item 20): liveness touches nothing, readiness asks the database and
the task queue, and neither builds the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/api/v1/health/live")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_ready_checks_the_database_and_the_queue(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1; the queue has its own storage
        answer = client.get("/api/v1/health/ready")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_ready_is_503_when_the_queue_does_not_answer(client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def down():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", down)
    answer = client.get("/api/v1/health/ready")
    assert answer.status_code == 503
    body = answer.json()
    assert body["code"] == "not_ready" and body["details"] == {
        "database": "ok",
        "queue": "error: ConnectionError",
    }


def test_the_probes_do_not_build_the_schema(client, monkeypatch):
    from omnipoint.config.api import api

    def slow(*args, **kwargs):
        raise AssertionError("a probe built the OpenAPI schema")

    monkeypatch.setattr(api, "get_openapi_schema", slow)
    assert client.get("/api/v1/health/live").status_code == 200
    assert client.get("/api/v1/health/ready").status_code == 200
