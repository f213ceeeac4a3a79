"""The published OpenAPI schema says what each operation really takes and answers.

OpenAPI components are keyed by class name, so two schemas with one name collide: one silently
replaces the other, and every answer of the operation that used the lost one fails validation
(``GET /inventory/movements`` was documented with the members' wallet movement). Names are
checked here over every model any operation uses.
"""

import typing
from collections import defaultdict

from pydantic import BaseModel

from omnipoint.config.api import api


def _models(annotation: object, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        if annotation.__module__.startswith("omnipoint."):
            found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in typing.get_args(annotation):
        _models(arg, found)


def published_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _models(model, found)
    return found


def test_no_two_schemas_share_a_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in published_models():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_every_published_model_is_in_the_components():
    components = api.get_openapi_schema()["components"]["schemas"]
    names = {m.__name__ for m in published_models()}
    assert len(names) > 40 and names <= set(components)


def test_the_sandbox_notification_body_is_documented_as_sent():
    import json

    from django.utils import timezone

    from omnipoint.payments.models import ChargeState, SandboxCharge
    from omnipoint.payments.sandbox import SIGNATURE_HEADER, notification_build

    operation = api.get_openapi_schema()["paths"]["/api/v1/payments/notify/{provider}"]["post"]
    documented = operation["requestBody"]["content"]["application/json"]["schema"]
    charge = SandboxCharge(
        merchant_ref="m", ref="r", amount=1, state=ChargeState.PAID, paid_at=timezone.now()
    )
    body, headers = notification_build(charge)
    assert set(documented["properties"]) == set(json.loads(body))
    assert set(documented["required"]) <= set(json.loads(body))
    assert SIGNATURE_HEADER in headers
    assert SIGNATURE_HEADER in {p["name"] for p in operation["parameters"]}
