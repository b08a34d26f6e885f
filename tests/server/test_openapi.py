"""The OpenAPI document: complete enough to build a client from, with Vietnamese examples."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel

from queue_core.protocol import IssueRequest, RatingRequest, TransferRequest
from tests.server.conftest import Hall

# Letters only Vietnamese (among the languages here) writes: horn, breve, đ, and tone marks.
VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
)


@pytest.fixture(scope="module")
def spec(shared_hall: Hall) -> dict[str, Any]:
    response = shared_hall.client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_has_a_summary(spec: dict[str, Any]) -> None:
    missing = [f"{m} {p}" for m, p, op in operations(spec) if not op.get("summary", "").strip()]
    assert missing == []


def test_the_contracts_operations_are_documented(spec: dict[str, Any]) -> None:
    documented = {(m, p) for m, p, _ in operations(spec)}
    assert {
        ("GET", "/api/health"),
        ("POST", "/api/auth/token"),
        ("GET", "/api/services"),
        ("POST", "/api/tickets"),
        ("GET", "/api/tickets/{ticket_id}"),
        ("GET", "/api/counters"),
        ("POST", "/api/counters/{number}/call-next"),
        ("POST", "/api/counters/{number}/recall"),
        ("POST", "/api/tickets/{ticket_id}/complete"),
        ("POST", "/api/tickets/{ticket_id}/no-show"),
        ("POST", "/api/tickets/{ticket_id}/transfer"),
        ("POST", "/api/ratings"),
    } <= documented


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/tickets", IssueRequest),
        ("/api/tickets/{ticket_id}/transfer", TransferRequest),
        ("/api/ratings", RatingRequest),
    ],
)
def test_request_bodies_carry_vietnamese_examples_that_validate(
    spec: dict[str, Any], path: str, model: type[BaseModel]
) -> None:
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    examples: dict[str, dict[str, Any]] = body.get("examples", {})
    assert examples, path
    for name, example in examples.items():
        assert VIETNAMESE.search(name + example.get("summary", "")), name
        model.model_validate(example["value"])


def test_the_sign_in_form_is_the_oauth2_password_flow(spec: dict[str, Any]) -> None:
    body = spec["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]
    form = body["application/x-www-form-urlencoded"]["schema"]
    schema = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
    assert {"username", "password"} <= set(schema["required"])


def test_integer_path_parameters_are_bounded(spec: dict[str, Any]) -> None:
    # An id past 64 bits must be refused by validation, before it reaches SQLite.
    for method, path, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            if parameter["in"] == "path" and schema.get("type") == "integer":
                assert schema.get("maximum", 2**63) < 2**63, (method, path, parameter["name"])
                assert schema.get("minimum", -1) >= 1, (method, path, parameter["name"])


def test_protected_operations_declare_bearer_auth(spec: dict[str, Any]) -> None:
    open_to_all = {("GET", "/api/health"), ("POST", "/api/auth/token")}
    for method, path, operation in operations(spec):
        if (method, path) in open_to_all or not path.startswith("/api/"):
            continue
        assert operation.get("security"), (method, path)
