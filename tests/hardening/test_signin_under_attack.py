"""Sign-in under attack, against a real `motcua serve`: parallel guesses, a flood of real
argon2 checks, and the lockout turned into a weapon."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from queue_server.auth import LoginThrottle, Role, add_user
from queue_server.database import open_store
from queue_server.settings import Settings
from tests.hardening.conftest import Served, Watch, client_from, rss_mib
from tests.helpers.server_process import serve
from tests.server.conftest import PASSWORDS, prepare_data_dir

pytestmark = pytest.mark.slow

MAX_FAILURES = Settings.model_fields["login_max_failures"].default


def sign_in(http: httpx.Client, username: str, password: str) -> int:
    response = http.post("/api/auth/token", data={"username": username, "password": password})
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.status_code


def at_once(count: int, attempt: object) -> Counter[int]:
    """Run `attempt(i)` in `count` threads released together; the statuses they got."""
    statuses: Counter[int] = Counter()
    barrier = threading.Barrier(count)
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        status = attempt(i)  # type: ignore[operator]
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_parallel_guesses_for_one_user_are_counted_before_they_are_checked(
    served: Served,
) -> None:
    url = served.server.url

    def guess(i: int) -> int:
        with client_from(url, "127.0.0.1") as http:
            return sign_in(http, "lan", f"doan-bua-{i}")

    statuses = at_once(32, guess)
    assert set(statuses) <= {401, 429, 503}, statuses
    # Only the allowed number were evaluated; the rest were refused before any hashing.
    assert 0 < statuses[401] <= MAX_FAILURES, statuses
    with client_from(url, "127.0.0.1") as http:
        assert sign_in(http, "lan", PASSWORDS["lan"]) == 429


def test_a_flood_of_real_password_checks_keeps_memory_bounded_and_health_answering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    store = open_store(data_dir)
    with store.transaction():  # the production hasher: 64 MiB a check
        add_user(store, "thu", "mat-khau-that", Role.CLERK, None, datetime.now(UTC))
    store.close()
    with serve(data_dir) as server:
        url = server.url
        before = rss_mib(server.process.pid)

        # 40 guessers, each from its own address, so the throttle lets them all try: only
        # the bound on concurrent checks stands between them and the server's memory.
        def guess(i: int) -> int:
            with client_from(url, f"127.0.1.{i + 1}") as http:
                return sign_in(http, "thu" if i % 2 else f"ai-do-{i}", "doan-bua")

        with Watch(server) as watch:
            statuses = at_once(40, guess)
        assert set(statuses) <= {401, 503}, statuses
        assert statuses[401] > 0
        assert set(watch.statuses) == {200}
        assert watch.peak_rss_mib < 300, watch.summary()
        with capsys.disabled():
            print(
                f"\nlogin flood (40 at once): {dict(statuses)}; RSS before {before:.0f} MiB;"
                f" {watch.summary()}"
            )


def nice_of_threads(pid: int) -> dict[int, int]:
    """Each thread's nice value, from /proc (field 19 of its stat line)."""
    values = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        after_name = (task / "stat").read_text().rsplit(")", 1)[1].split()
        values[int(task.name)] = int(after_name[16])
    return values


def test_password_checks_run_below_the_event_loop(served: Served) -> None:
    pid = served.server.process.pid
    assert set(nice_of_threads(pid).values()) == {0}
    with client_from(served.server.url, "127.0.0.5") as http:
        assert sign_in(http, "lan", "doan-bua") == 401
        assert sign_in(http, "lan", PASSWORDS["lan"]) == 200
    nices = nice_of_threads(pid)
    # The event loop (uvicorn's main thread) keeps its priority; the check's thread does
    # not, so a flood of argon2 checks cannot take the cores from the hall's requests.
    assert nices.pop(pid) == 0
    assert 19 in nices.values(), nices


def test_a_guesser_locks_only_itself_out(served: Served) -> None:
    url = served.server.url
    with client_from(url, "127.0.0.2") as guesser:
        for i in range(MAX_FAILURES + 3):
            assert sign_in(guesser, "lan", f"doan-bua-{i}") in {401, 429}
        assert sign_in(guesser, "lan", PASSWORDS["lan"]) == 429
    # The clerk, at the counter PC, signs in with the right password all the same.
    with client_from(url, "127.0.0.1") as counter_pc:
        assert sign_in(counter_pc, "lan", PASSWORDS["lan"]) == 200


def test_one_address_spraying_usernames_is_locked_out(served: Served) -> None:
    address_max = Settings.model_fields["login_address_max_failures"].default
    with client_from(served.server.url, "127.0.0.3") as sprayer:
        statuses = Counter(sign_in(sprayer, f"ten-{i}", "doan-bua") for i in range(address_max + 5))
        assert statuses == {401: address_max, 429: 5}
        assert sign_in(sprayer, "sup", PASSWORDS["sup"]) == 429
    with client_from(served.server.url, "127.0.0.4") as other:
        assert sign_in(other, "sup", PASSWORDS["sup"]) == 200


def test_spraying_ten_thousand_usernames_does_not_wipe_the_locks() -> None:
    throttle = LoginThrottle(max_failures=5, lockout_s=60, address_max_failures=20, capacity=4096)
    now = 1000.0
    for _ in range(5):
        assert throttle.begin("lan", "10.0.0.66", now) == 0
    assert throttle.begin("lan", "10.0.0.66", now) > 0
    # From one address: locked after 20 names, the rest cost nothing and add nothing.
    for i in range(10_000):
        throttle.begin(f"ten-{i}", "10.0.0.99", now)
    assert len(throttle) <= 4096
    assert throttle.retry_after("lan", "10.0.0.66", now) > 0
    # From 500 addresses while the guesser keeps knocking: the hot lock is kept.
    for i in range(10_000):
        throttle.begin(f"ten-{i}", f"10.1.{i % 500 // 250}.{i % 250}", now)
        if i % 100 == 0:
            assert throttle.begin("lan", "10.0.0.66", now) > 0
    assert len(throttle) <= 4096
    assert throttle.retry_after("lan", "10.0.0.66", now) > 0
    assert throttle.retry_after("lan", "10.0.0.1", now) == 0
