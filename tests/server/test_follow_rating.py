"""The QR code's follow page: an unguessable code, and a rating from the phone, once.

Real app, real SQLite file: the rating must land in the same table, with the same
`ticket.rated` event, as a rating from the counter's tablet.
"""

from __future__ import annotations

import base64
import itertools
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from queue_core.clock import FrozenClock
from queue_core.protocol import FOLLOW_CODE_HEADER
from queue_server.app import create_app
from queue_server.settings import Settings
from queue_server.store import DATABASE_NAME
from queue_server.store.sqlite.follow_codes import new_code, ticket_id_of
from queue_server.store.sqlite.schema import migrations
from tests.server.conftest import MONDAY_9AM, Hall, open_hall


def issue(hall: Hall, service: str = "TP") -> tuple[int, str]:
    response = hall.client.post(
        "/api/tickets", json={"service": service}, headers=hall.headers("kiosk")
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"]), response.headers[FOLLOW_CODE_HEADER]


def serve(hall: Hall, counter: int = 1) -> None:
    """Call the next citizen at `counter` and finish with them."""
    called = hall.call_next(counter)
    assert called is not None
    done = hall.client.post(f"/api/tickets/{called['id']}/complete", headers=hall.headers("lan"))
    assert done.status_code == 200, done.text


def rate(hall: Hall, ref: str, body: str = "score=3", **headers: str) -> tuple[int, str]:
    response = hall.client.post(
        f"/t/{ref}",
        content=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html,application/xhtml+xml",  # as a phone's browser sends
            **headers,
        },
        follow_redirects=False,
    )
    return response.status_code, response.text


def ratings(hall: Hall) -> list[tuple[int, int, str | None]]:
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        return db.execute("select ticket_id, score, device from ratings").fetchall()


def rated_events(hall: Hall) -> int:
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        return int(
            db.execute("select count(*) from events where type = 'ticket.rated'").fetchone()[0]
        )


def test_each_ticket_gets_an_unguessable_code_only_its_issuer_sees(hall: Hall) -> None:
    issued = [issue(hall, "TP" if i % 2 else "DD")[1] for i in range(3)]
    issued += [issue(hall)[1] for _ in range(60)]
    assert len(set(issued)) == len(issued)
    # The ticket's id (public: the API names it), then 72 random bits: URL-safe base64 of
    # 9 random bytes, the part that makes the code unguessable. Never all digits.
    randoms = [code[-12:] for code in issued]
    for code, random in zip(issued, randoms, strict=True):
        assert len(base64.urlsafe_b64decode(random)) == 9
        assert len(code) > 12
        assert not code.isdigit()
    # Not sequential: consecutive random parts share no common prefix worth the name, and
    # each of their positions takes many values across the day's tickets.
    assert max(len(_common_prefix(a, b)) for a, b in itertools.pairwise(randoms)) <= 3
    assert all(len({random[i] for random in randoms}) >= 20 for i in range(12))
    # The code is the citizen's credential: never in a body any screen can read.
    ticket_id = issue(hall)[0]
    for who in ("display", "kiosk", "lan"):
        body = hall.client.get(f"/api/tickets/{ticket_id}", headers=hall.headers(who)).text
        assert "follow_code" not in body
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        bodies = [b for (b,) in db.execute("select body from events")]
    assert bodies
    assert not any(code in body for body in bodies for code in issued)


def test_a_code_with_the_right_ticket_id_and_another_random_part_finds_nothing(
    hall: Hall,
) -> None:
    ticket_id, code = issue(hall)
    assert ticket_id_of(code) == ticket_id
    guessed = code[:-12] + ("A" if code[-1] != "A" else "B") + code[-11:]
    for wrong in (guessed, code[:-1] + ("x" if code[-1] != "x" else "y"), code[:-12] + "A" * 12):
        assert hall.client.get(f"/t/{wrong}").status_code == 404
        assert (
            hall.client.get(
                "/api/tickets", params={"follow_code": wrong}, headers=hall.headers("kiosk")
            ).json()
            == []
        )
    assert hall.client.get(f"/t/{code}").status_code == 200


def test_a_code_drawn_whole_before_the_upgrade_still_opens_its_ticket(hall: Hall) -> None:
    ticket_id, _ = issue(hall)
    drawn = "q7Rk2mVx9aZc"  # 12 characters: m004's codes, no ticket id in front
    with sqlite3.connect(hall.data_dir / DATABASE_NAME) as db:
        db.execute("update tickets set follow_code = ? where id = ?", [drawn, ticket_id])
    page = hall.client.get(f"/t/{drawn}")
    assert page.status_code == 200
    assert "1001" in page.text
    assert hall.client.get(f"/t/{drawn[:-1]}Q").status_code == 404


@pytest.mark.parametrize("ticket_id", [1, 63, 64, 4095, 4096, 1_000_000, 2**62])
def test_a_code_names_its_ticket_id(ticket_id: int) -> None:
    code = new_code(ticket_id)
    assert len(code) > 12
    assert ticket_id_of(code) == ticket_id


@pytest.mark.parametrize(
    "code", ["q7Rk2mVx9aZc", "short", "", "+" + "A" * 12, "_" * 20 + "A" * 12, "A" * 13]
)
def test_what_no_new_code_can_be_names_no_ticket_id(code: str) -> None:
    # Drawn whole (looked up by code), a character outside base64url, past SQLite's
    # integers, or id 0, which no ticket has.
    assert ticket_id_of(code) is None


def test_retrying_the_issue_gives_back_the_same_code(hall: Hall) -> None:
    first, second = (
        hall.client.post(
            "/api/tickets",
            json={"service": "TP"},
            headers={**hall.headers("kiosk"), "Idempotency-Key": "cham-1"},
        )
        for _ in range(2)
    )
    assert first.json()["id"] == second.json()["id"]
    assert first.headers[FOLLOW_CODE_HEADER] == second.headers[FOLLOW_CODE_HEADER]


def test_the_citizen_rates_from_the_phone_only_after_being_served_and_only_once(
    hall: Hall,
) -> None:
    ticket_id, code = issue(hall)
    page = hall.client.get(f"/t/{code}")
    assert page.status_code == 200
    assert "Đang chờ đến lượt" in page.text
    assert "<form" not in page.text
    assert rate(hall, code)[0] == 409  # waiting: nothing to rate yet

    hall.call_next(1)
    assert "<form" not in hall.client.get(f"/t/{code}").text
    status, text = rate(hall, code)
    assert status == 409
    assert "Chỉ đánh giá được số đã phục vụ xong" in text
    assert ratings(hall) == []

    hall.client.post(f"/api/tickets/{ticket_id}/complete", headers=hall.headers("lan"))
    page = hall.client.get(f"/t/{code}")
    assert "Đã phục vụ xong" in page.text
    assert "Ông/Bà có hài lòng với chất lượng phục vụ?" in page.text
    assert f'<form class="rate" method="post" action="/t/{code}">' in page.text
    for score, label in ((3, "Rất hài lòng"), (2, "Hài lòng"), (1, "Không hài lòng")):
        assert f'name="score" value="{score}"' in page.text
        assert label in page.text
    assert 'http-equiv="refresh"' not in page.text  # no reload under a thumb about to tap
    assert page.headers["referrer-policy"] == "same-origin"

    response = hall.client.post(
        f"/t/{code}",
        data={"score": "2"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{code}"
    assert ratings(hall) == [(ticket_id, 2, None)]
    assert rated_events(hall) == 1
    thanks = hall.client.get(f"/t/{code}").text
    assert "Ông/Bà đã đánh giá: Hài lòng. Xin cảm ơn!" in thanks
    assert "<form" not in thanks

    status, text = rate(hall, code, "score=3")
    assert status == 409
    assert "Số này đã được đánh giá. Xin cảm ơn Ông/Bà!" in text
    # …nor by the tablet afterwards: one rating per ticket, whoever gives it first.
    tablet = hall.client.post(
        "/api/ratings", json={"ticket_id": ticket_id, "score": 3}, headers=hall.headers("rating")
    )
    assert tablet.status_code == 409
    assert ratings(hall) == [(ticket_id, 2, None)]
    assert rated_events(hall) == 1


def test_a_bad_form_a_big_body_or_another_site_records_nothing(hall: Hall) -> None:
    _, code = issue(hall)
    serve(hall)
    for body in ("", "score=", "score=0", "score=4", "score=abc", "score=3&score=2",
                 "score=3&x=1", "score=%FF", "sc%00ore=3", "score=33", "score=%C2%B2"):  # fmt: skip
        status, text = rate(hall, code, body)
        assert status == 422, body
        assert "Xin chọn một mức đánh giá" in text or "Điểm đánh giá từ 1 đến 3" in text
    assert rate(hall, code, "score=3&pad=" + "x" * 10_000)[0] == 413
    for origin in ("http://evil.example", "http://testserver.evil.example", "https://x"):
        status, text = rate(hall, code, Origin=origin)
        assert status == 403
        assert "Không nhận đánh giá gửi từ trang khác" in text
    assert rate(hall, "khongcomaso1", "score=3")[0] == 404
    assert ratings(hall) == []
    assert rated_events(hall) == 0
    assert rate(hall, code, Origin="http://testserver")[0] == 303


def test_an_old_numeric_address_shows_today_s_ticket_without_a_form(hall: Hall) -> None:
    ticket_id, code = issue(hall)
    serve(hall)
    page = hall.client.get(f"/t/{ticket_id}")
    assert page.status_code == 200
    assert "Đã phục vụ xong" in page.text
    assert "<form" not in page.text
    assert rate(hall, str(ticket_id))[0] == 404  # the id is no credential
    assert ratings(hall) == []
    assert "<form" in hall.client.get(f"/t/{code}").text


def test_counting_through_past_days_ids_finds_nothing(hall: Hall) -> None:
    tickets = [issue(hall) for _ in range(5)]
    serve(hall)
    hall.clock.advance(days=1)
    unknown = hall.client.get("/t/999999")
    assert unknown.status_code == 404
    for ticket_id, _code in tickets:
        page = hall.client.get(f"/t/{ticket_id}")
        assert (page.status_code, page.text) == (404, unknown.text)
    # The citizen's own code still shows what became of the ticket, but the day to rate
    # it has passed.
    first_code = tickets[0][1]
    page = hall.client.get(f"/t/{first_code}")
    assert page.status_code == 200
    assert "Đã phục vụ xong" in page.text
    assert "<form" not in page.text
    status, text = rate(hall, first_code)
    assert status == 409
    assert "Đã hết thời hạn đánh giá" in text
    assert ratings(hall) == []


def test_a_ticket_issued_before_the_upgrade_keeps_its_numeric_page(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for hall in open_hall(data_dir):
        old_id, _ = issue(hall)
        tokens = hall.tokens
    # Back to the schema before follow codes, as a centre's database stood this morning.
    with sqlite3.connect(data_dir / DATABASE_NAME) as conn:
        conn.execute(
            "delete from _sqlite_migrations where name in"
            " ('m004_ticket_follow_codes', 'm018_follow_codes_found_by_ticket_id')"
        )
        conn.execute("drop index tickets_drawn_follow_code")
        conn.execute("alter table tickets drop column follow_code")
    db = Database(data_dir / DATABASE_NAME)
    assert [m.name for m in migrations.pending(db)] == [
        "m004_ticket_follow_codes",
        "m018_follow_codes_found_by_ticket_id",
    ]
    db.close()
    clock = FrozenClock(MONDAY_9AM)
    with TestClient(create_app(Settings(data_dir=data_dir), clock=clock)) as client:
        hall = Hall(client, data_dir, clock)
        hall.tokens.update(tokens)
        assert migrations.pending(Database(data_dir / DATABASE_NAME)) == []
        page = hall.client.get(f"/t/{old_id}")
        assert page.status_code == 200
        assert "1001" in page.text
        new_id, code = issue(hall)
        assert hall.client.get(f"/t/{code}").status_code == 200
        assert new_id == old_id + 1


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def test_a_client_that_is_no_browser_gets_the_api_s_json_errors(hall: Hall) -> None:
    _, code = issue(hall)
    for body, status in (("score=3", 409), ("score=9", 422), ("x", 422)):
        response = hall.client.post(f"/t/{code}", content=body.encode())
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"]
    assert hall.client.post("/t/1", content=b"score=3").json() == {
        "detail": "Không tìm thấy số này"
    }


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ref=st.text(min_size=1, max_size=40).filter(
        lambda t: "/" not in t and "?" not in t and "#" not in t
    ),
    body=st.binary(max_size=300),
    accept=st.sampled_from(["text/html", "*/*"]),
    served=st.booleans(),
    score=st.text(max_size=3),
)
def test_no_address_or_body_makes_the_page_fail(
    hall: Hall, ref: str, body: bytes, accept: str, served: bool, score: str
) -> None:
    if served:  # a real code of a served ticket: the body reaches the rating itself
        _, ref = issue(hall)
        serve(hall)
        body = f"score={quote(score)}".encode()
    for response in (
        hall.client.get(f"/t/{quote(ref)}"),
        hall.client.post(
            f"/t/{quote(ref)}",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        ),
    ):
        assert response.status_code < 500, response.text
