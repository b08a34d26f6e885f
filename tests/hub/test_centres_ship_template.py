"""A centre follows the province's site template from the real hub (#16, Build 4): each new
version reaches its site through `site apply`'s path, its own name and counters kept; a
version it cannot take is refused, changing nothing, and said so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_core.clock import FrozenClock
from queue_server.app import create_app
from queue_server.settings import Settings
from tests.helpers import waiting
from tests.helpers.server_process import motcua, running
from tests.server.conftest import MONDAY_9AM, Hall, prepare_data_dir

pytestmark = pytest.mark.slow

TIMEOUT_S = 30.0

TEMPLATE = """
[site]
name = "Mẫu xã của tỉnh"
waiting_target_minutes = 15
call_phrase = "Xin mời công dân số {number} đến quầy {counter}"

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch (danh mục tỉnh)"
prefix = "1"
digits = 3

[[services]]
code = "LD"
name = "Lao động – Thương binh và Xã hội"
prefix = "3"

[[counters]]
number = 1
name = "Quầy mẫu"
services = ["TP"]
"""


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    waiting.wait_until(condition, what, timeout_s)


def put(database_url: str, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    done = motcua("hub", "template", "put", "xa-chuan", str(path), "--database", database_url)
    assert done.returncode == 0, done.stderr


def test_a_centre_follows_each_version_and_keeps_its_own(database_url: str, tmp_path: Path) -> None:
    added = motcua("hub", "centre", "add", "XA-MOT", "Xã Một", "--database", database_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    put(database_url, tmp_path / "mau.toml", TEMPLATE)
    hub_args = ["hub", "serve", "--database", database_url, "--host", "127.0.0.1", "--port", "0"]
    with running(hub_args, tmp_path / "hub") as hub:
        data_dir = tmp_path / "data"
        clock = FrozenClock(MONDAY_9AM)
        tokens = prepare_data_dir(data_dir, now=clock.now())
        settings = Settings(
            data_dir=data_dir,
            hub_url=hub.url,
            hub_token=token,
            hub_template="xa-chuan",
            hub_template_interval_s=0.2,
            hub_retry_max_s=0.2,
            hub_linger_s=0.05,
        )
        with TestClient(create_app(settings, clock=clock)) as client:
            hall = Hall(client, data_dir, clock)
            hall.tokens.update(tokens)
            before = client.get("/api/site", headers=hall.headers("sup")).json()

            def site() -> dict[str, object]:
                answer: dict[str, object] = client.get(
                    "/api/site", headers=hall.headers("sup")
                ).json()
                return answer

            def template() -> dict[str, object]:
                state: dict[str, object] = client.get("/api/health").json()["hub"]["template"]
                return state

            wait_until(lambda: site()["waiting_target_minutes"] == 15, "version 1 followed")
            now = site()
            assert now["name"] == before["name"]  # the centre's own name
            assert now["counters"] == before["counters"]  # its counters, names and all
            codes = {s["code"]: s["name"] for s in now["services"]}
            assert codes["TP"].endswith("(danh mục tỉnh)")
            assert "LD" in codes
            assert "DD" in codes  # a service of its own the template does not list
            assert template() == {"name": "xa-chuan", "version": 1, "last_error": None}

            put(database_url, tmp_path / "mau.toml", TEMPLATE.replace("= 15", "= 25"))
            wait_until(lambda: site()["waiting_target_minutes"] == 25, "version 2 followed")
            assert template()["version"] == 2

            # Version 3 gives LD the prefix of the centre's own DD: refused, nothing changes.
            put(
                database_url,
                tmp_path / "mau.toml",
                TEMPLATE.replace('prefix = "3"', 'prefix = "2"'),
            )
            wait_until(lambda: template()["last_error"] == "refused", "version 3 refused")
            assert template()["version"] == 2
            assert site()["waiting_target_minutes"] == 25

    audit = motcua("site", "export", "--data-dir", str(data_dir))
    assert audit.returncode == 0, audit.stderr
    assert "waiting_target_minutes = 25" in audit.stdout
