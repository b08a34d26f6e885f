"""Bad input never gets a 5xx and never costs a ticket: whatever a client sends, the server
answers 4xx with a JSON `detail`, and the tickets already issued are exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import connect
from tests.server.conftest import Hall, open_hall

JSON = {"content-type": "application/json"}


def tickets(hall: Hall) -> list[dict[str, Any]]:
    """Every ticket row as the database holds it."""
    store = connect(hall.data_dir)
    try:
        return list(store.db.query("select * from tickets order by id"))
    finally:
        store.close()


def make_busy(hall: Hall) -> Hall:
    """The hall mid-morning: one ticket done and rated, one at counter 1, one waiting."""
    done = hall.issue("TP")
    hall.call_next(1)
    hall.issue("TP")
    hall.issue("DD", priority=True)
    hall.call_next(1)
    rated = hall.client.post(
        "/api/ratings", json={"ticket_id": done["id"], "score": 3}, headers=hall.headers("rating")
    )
    assert rated.status_code == 201
    return hall


@pytest.fixture
def busy_hall(hall: Hall) -> Hall:
    return make_busy(hall)


@pytest.fixture(scope="module")
def quiet_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """One busy hall for the many cases that must change nothing (each one checks it)."""
    for hall in open_hall(tmp_path_factory.mktemp("quiet") / "data"):
        yield make_busy(hall)


def send(
    hall: Hall,
    who: str,
    path: str,
    body: bytes | dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    extra = headers if headers is not None else JSON
    if isinstance(body, dict):
        return hall.client.post(path, data=body, headers={**hall.headers(who), **(headers or {})})
    return hall.client.post(path, content=body, headers={**hall.headers(who), **extra})


def assert_refused(response: httpx.Response, case: object) -> None:
    assert 400 <= response.status_code < 500, (case, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), case
    assert "detail" in response.json(), case


# Bodies no JSON route may accept, whatever it expects.
NOT_AN_OBJECT = [
    b"",
    b"{",
    b'{"service": "TP"',
    b"null",
    b"[]",
    b'"TP"',
    b"42",
    b"true",
    b"NaN",
    b"\xff\xfe\x00",
    b'{"service": "\xff"}',
    b"\xef\xbb\xbf{}",
    b"[" * 100_000,
    b"1" + b"0" * 5000,
]

# (who, path, bad body) for each JSON route, beyond the shapes above.
BAD_BODIES: list[tuple[str, str, bytes]] = [
    ("kiosk", "/api/tickets", b"{}"),
    ("kiosk", "/api/tickets", b'{"service": 123}'),
    ("kiosk", "/api/tickets", b'{"service": ["TP"]}'),
    ("kiosk", "/api/tickets", b'{"service": {"code": "TP"}}'),
    ("kiosk", "/api/tickets", b'{"service": null}'),
    ("kiosk", "/api/tickets", b'{"service": "TP", "priority": "maybe"}'),
    ("kiosk", "/api/tickets", b'{"service": "TP", "priority": [true]}'),
    ("kiosk", "/api/tickets", b'{"service": "TP", "priority": NaN}'),
    ("kiosk", "/api/tickets", b'{"service": "TP", "extra": 1}'),
    ("kiosk", "/api/tickets", b'{"service": "XX"}'),
    ("kiosk", "/api/tickets", b'{"service": ""}'),
    ("kiosk", "/api/tickets", b'{"service": "T\\u0000P"}'),
    ("kiosk", "/api/tickets", b'{"service": "\\ud800"}'),
    ("kiosk", "/api/tickets", b'{"service": "TP\\udfff"}'),
    ("kiosk", "/api/tickets", b'{"service": "TP", "x": "\\ud800"}'),
    ("kiosk", "/api/tickets", b'{"\\ud800": 1}'),
    ("kiosk", "/api/tickets", json.dumps({"service": "T" * 1_000_000}).encode()),
    ("kiosk", "/api/tickets", b'{"service": "TP", "priority": 1e999}'),
    ("lan", "/api/tickets/2/transfer", b"{}"),
    ("lan", "/api/tickets/2/transfer", b'{"service": "DD", "counter": 3}'),
    ("lan", "/api/tickets/2/transfer", b'{"service": null, "counter": null}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": 99999999999999999999999999999}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": 9223372036854775808}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": -1}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": 0}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": 1.5}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": "ba"}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": Infinity}'),
    ("lan", "/api/tickets/2/transfer", b'{"service": "XX"}'),
    ("lan", "/api/tickets/2/transfer", b'{"service": "\\ud800"}'),
    ("lan", "/api/tickets/2/transfer", b'{"counter": 99}'),
    ("rating", "/api/ratings", b"{}"),
    ("rating", "/api/ratings", b'{"ticket_id": 1}'),
    ("rating", "/api/ratings", b'{"score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": 99999999999999999999999999999, "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": 9223372036854775808, "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": -99999999999999999999999999999, "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": -1, "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": 424242, "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": 99999999999999999999999999999}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": 2.5}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": NaN}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": -Infinity}'),
    ("rating", "/api/ratings", b'{"ticket_id": "hai", "score": 3}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": 3, "comment": "\\ud800"}'),
    ("rating", "/api/ratings", b'{"ticket_id": 2, "score": 3, "reasons": ["\\udc00"]}'),
    ("rating", "/api/ratings", '{"ticket_id": 2, "score": 3, "reasons": "Chờ lâu"}'.encode()),
    (
        "rating",
        "/api/ratings",
        json.dumps({"ticket_id": 2, "score": 3, "comment": "x" * 100_000}).encode(),
    ),
    (
        "rating",
        "/api/ratings",
        json.dumps({"ticket_id": 2, "score": 3, "reasons": ["x"] * 1000}).encode(),
    ),
    ("lan", "/api/counters/2/pause", b"{}"),
    ("lan", "/api/counters/2/pause", b'{"reason": ""}'),
    ("lan", "/api/counters/2/pause", b'{"reason": 5}'),
    ("lan", "/api/counters/2/pause", b'{"reason": "\\ud800"}'),
    ("lan", "/api/counters/2/pause", json.dumps({"reason": "Họp" * 100_000}).encode()),
    ("lan", "/api/counters/2/walk-in", b"{}"),
    ("lan", "/api/counters/2/walk-in", b'{"service": "XX"}'),
    ("lan", "/api/counters/2/walk-in", b'{"service": "\\ud800"}'),
    ("lan", "/api/counters/2/walk-in", b'{"service": "TP", "priority": "maybe"}'),
    ("kiosk", "/api/devices/heartbeat", b'{"printer": "on-fire"}'),
    ("kiosk", "/api/devices/heartbeat", b'{"detail": "\\ud800"}'),
    ("kiosk", "/api/devices/heartbeat", b'{"version": "\\udc00"}'),
    ("kiosk", "/api/devices/heartbeat", json.dumps({"detail": "x" * 100_000}).encode()),
    ("lan", "/api/counters/2/open", b'{"force": "maybe"}'),
]

JSON_ROUTES = sorted({(who, path) for who, path, _ in BAD_BODIES})


def test_bodies_that_are_not_json_objects_are_refused(quiet_hall: Hall) -> None:
    before = tickets(quiet_hall)
    for who, path in JSON_ROUTES:
        if path.endswith(("/heartbeat", "/open")):
            continue  # their body is optional: an empty one is fine
        for body in NOT_AN_OBJECT:
            assert_refused(send(quiet_hall, who, path, body), (path, body[:40]))
    assert tickets(quiet_hall) == before


@pytest.mark.parametrize(
    ("who", "path", "body"), BAD_BODIES, ids=[f"{p} {b[:40]!r}" for _, p, b in BAD_BODIES]
)
def test_a_bad_body_is_refused_and_changes_nothing(
    quiet_hall: Hall, who: str, path: str, body: bytes
) -> None:
    before = tickets(quiet_hall)
    assert_refused(send(quiet_hall, who, path, body), body[:60])
    assert tickets(quiet_hall) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain"},
        {"content-type": "application/xml"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {"content-type": "application/json; charset=latin-1"},
        {"content-type": "\u00e9\u00e9"},
        {},
    ],
)
def test_a_json_route_given_another_content_type_never_fails(
    busy_hall: Hall, headers: dict[str, str]
) -> None:
    before = tickets(busy_hall)
    for body in (b'{"service": "TP"}', b"service=TP", b"\xff\x00"):
        response = busy_hall.client.post(
            "/api/tickets",
            content=body,
            headers={
                **busy_hall.headers("kiosk"),
                **{k: v.encode("latin-1") for k, v in headers.items()},
            },  # type: ignore[dict-item]
        )
        assert response.status_code < 500, (headers, body, response.text)
        if response.status_code != 201:
            assert_refused(response, (headers, body))
    assert len(tickets(busy_hall)) - len(before) in (0, 1, 2, 3)
    assert tickets(busy_hall)[: len(before)] == before


def test_a_form_where_json_is_expected_is_422(quiet_hall: Hall) -> None:
    before = tickets(quiet_hall)
    response = quiet_hall.client.post(
        "/api/tickets", data={"service": "TP"}, headers=quiet_hall.headers("kiosk")
    )
    assert response.status_code == 422
    assert tickets(quiet_hall) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/tickets/0",
        "/api/tickets/-1",
        "/api/tickets/99999999999999999999999999999999",
        "/api/tickets/9223372036854775808",
        "/api/tickets/1e3",
        "/api/tickets/%00",
        "/api/tickets/%ED%A0%80",
        "/api/tickets/%FF",
        "/api/tickets/" + "9" * 5000,
        "/api/tickets/m%E1%BB%99t",
        "/api/counters/0",
        "/api/counters/-3",
        "/api/counters/1000",
        "/api/counters/99999999999999999999999999999999",
        "/api/tickets?counter=99999999999999999999999999999",
        "/api/tickets?counter=-1",
        "/api/tickets?counter=%00",
    ],
)
def test_odd_ids_in_paths_are_4xx(quiet_hall: Hall, path: str) -> None:
    assert_refused(quiet_hall.client.get(path, headers=quiet_hall.headers("display")), path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/tickets/99999999999999999999999999999/complete",
        "/api/tickets/-1/no-show",
        "/api/tickets/0/cancel",
        "/api/tickets/9223372036854775808/transfer",
        "/api/tickets/%ED%A0%80/complete",
        "/api/tickets/4242/complete",
        "/api/tickets/4242/no-show",
        "/api/tickets/4242/cancel",
        "/api/counters/99999999999999999999999999999/call-next",
        "/api/counters/-1/recall",
        "/api/counters/0/resume",
        "/api/counters/99/call-next",
        "/api/counters/99/recall",
        "/api/counters/99/open",
        "/api/counters/99/close",
        "/api/counters/99/resume",
        "/api/counters/1/call/99999999999999999999999999999",
        "/api/counters/1/call/-5",
        "/api/counters/1/call/4242",
        "/api/counters/99/call/1",
        "/api/devices/99999999999999999999999999999/revoke",
        "/api/devices/4242/revoke",
    ],
)
def test_odd_ids_in_commands_are_4xx_and_change_nothing(quiet_hall: Hall, path: str) -> None:
    before = tickets(quiet_hall)
    body = {"service": "DD"} if path.endswith("/transfer") else None
    assert_refused(
        quiet_hall.client.post(path, json=body, headers=quiet_hall.headers("admin")), path
    )
    assert tickets(quiet_hall) == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/tickets/4242/transfer", {"service": "DD"}),
        ("/api/counters/99/walk-in", {"service": "TP"}),
        ("/api/counters/99/pause", {"reason": "Họp"}),
        ("/api/ratings", {"ticket_id": 4242, "score": 3}),
    ],
)
def test_unknown_tickets_and_counters_are_404(quiet_hall: Hall, path: str, body: object) -> None:
    who = "rating" if path == "/api/ratings" else "admin"
    before = tickets(quiet_hall)
    response = quiet_hall.client.post(path, json=body, headers=quiet_hall.headers(who))
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)
    assert tickets(quiet_hall) == before


def test_unknown_ids_in_paths_are_404(quiet_hall: Hall) -> None:
    for path in ("/api/tickets/4242", "/api/counters/99"):
        response = quiet_hall.client.get(path, headers=quiet_hall.headers("display"))
        assert response.status_code == 404, path


def test_text_with_nul_is_kept_or_refused_never_a_failure(busy_hall: Hall) -> None:
    before = tickets(busy_hall)
    response = busy_hall.client.post(
        "/api/counters/2/pause",
        json={"reason": "Họp\x00giao ban"},
        headers=busy_hall.headers("lan"),
    )
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["pause_reason"] == "Họp\x00giao ban"
    assert tickets(busy_hall) == before


def test_odd_idempotency_keys_never_fail(busy_hall: Hall) -> None:
    before = tickets(busy_hall)
    for key in ("k" * 201, "k" * 100_000):
        response = busy_hall.client.post(
            "/api/tickets",
            json={"service": "TP"},
            headers={**busy_hall.headers("kiosk"), "Idempotency-Key": key},
        )
        assert_refused(response, key[:10])
    assert tickets(busy_hall) == before
    for key in ("", " ", "\u00e9t\u00e9".encode().decode("latin-1"), "\x7f"):
        response = busy_hall.client.post(
            "/api/tickets",
            json={"service": "TP"},
            headers={**busy_hall.headers("kiosk"), "Idempotency-Key": key.encode("latin-1")},  # type: ignore[dict-item]
        )
        assert response.status_code in (201, 422), (key, response.text)


def test_odd_sign_in_forms_are_4xx(hall: Hall) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    for body in (
        b"",
        b"username=admin",
        b"username=%ED%A0%80&password=x",
        b"username=%00&password=%00",
        b"username=%FF%FE&password=%FF",
        b"username=" + b"a" * 100_000 + b"&password=x",
        b"username=admin&password=" + b"x" * 100_000,
        b"grant_type=magic&username=admin&password=x",
    ):
        response = hall.client.post("/api/auth/token", content=body, headers=form)
        assert_refused(response, body[:40])
    response = hall.client.post(
        "/api/auth/token", json={"username": "admin", "password": "mat-khau-4"}
    )
    assert_refused(response, "json")


# --- fuzzing --------------------------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        "service",
        "priority",
        "ticket_id",
        "score",
        "counter",
        "reason",
        "force",
        "reasons",
        "comment",
        "printer",
        "detail",
        "version",
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
    | st.sampled_from(["TP", "DD", "XX", "", "\x00", "\ud800", "Họp giao ban", "ok"])
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=6,
)
JSON_OBJECTS = st.dictionaries(_KEYS, JSON_VALUES, max_size=3)
PATH_IDS = (
    st.integers(min_value=1, max_value=6).map(str)
    | st.integers().map(str)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=10).map(
        lambda s: quote(s, safe="")
    )
)

# Who may reach each POST route past authorization, so the body is what gets tested.
# A device cannot sign out: a staff token there would be revoked and fail every later route.
_WHO = {
    "/api/tickets": "kiosk",
    "/api/ratings": "rating",
    "/api/devices/heartbeat": "kiosk",
    "/api/auth/logout": "kiosk",
}


def _post_routes() -> list[str]:
    """Every JSON POST route the app documents (sign-in takes a form: tested above)."""
    paths = create_app(Settings(data_dir=Path("unused"))).openapi()["paths"]
    return sorted(p for p, ops in paths.items() if "post" in ops and p != "/api/auth/token")


POST_ROUTES = _post_routes()


@pytest.fixture(scope="module")
def fuzz_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    """One hall for all the fuzzing, which only checks that nothing answers 5xx."""
    for hall in open_hall(tmp_path_factory.mktemp("fuzz") / "data"):
        make_busy(hall)
        for _ in range(2):  # DD's daily cap is 3
            hall.issue("TP")
            hall.issue("DD", priority=True)
        yield hall


def test_every_post_route_is_fuzzed() -> None:
    assert {"/api/tickets", "/api/ratings", "/api/tickets/{ticket_id}/transfer"} <= set(POST_ROUTES)
    assert "/api/counters/{number}/walk-in" in POST_ROUTES


@pytest.mark.parametrize("route", POST_ROUTES)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_json_never_gets_a_5xx(fuzz_hall: Hall, route: str, data: st.DataObject) -> None:
    path = route
    for name in ("ticket_id", "number", "device_id"):
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", data.draw(PATH_IDS, label=name))
    body = data.draw(JSON_OBJECTS | JSON_VALUES, label="body")
    who = _WHO.get(route, "sup")
    response = fuzz_hall.client.post(
        path,
        content=json.dumps(body),  # allow_nan: NaN and Infinity reach the server too
        headers={**fuzz_hall.headers(who), **JSON},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "detail" in response.json()
