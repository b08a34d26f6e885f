"""Site templates handed down: `motcua hub template put`, and a centre fetching one."""

from __future__ import annotations

import tomllib
from pathlib import Path

from fastapi.testclient import TestClient

from queue_hub.store import HubStore
from tests.helpers.server_process import motcua
from tests.hub.centre_log import add_centre

TEMPLATE = """
[site]
name = "Trung tâm Phục vụ hành chính công xã (mẫu của tỉnh)"
waiting_target_minutes = 15

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"

[[counters]]
number = 1
name = "Quầy 1"
services = ["TP"]
"""


def test_a_template_put_twice_is_served_to_centres_with_its_version(
    hub: TestClient, hub_store: HubStore, database_url: str, tmp_path: Path
) -> None:
    token = add_centre(hub_store, "A")
    auth = {"Authorization": f"Bearer {token}"}
    assert hub.get("/api/hub/templates/xa-chuan", headers=auth).status_code == 404
    file = tmp_path / "xa.toml"
    file.write_text(TEMPLATE, encoding="utf-8")
    put = motcua("hub", "template", "put", "xa-chuan", str(file), "--database", database_url)
    assert put.returncode == 0, put.stderr
    assert "1" in put.stdout
    first = hub.get("/api/hub/templates/xa-chuan", headers=auth).json()
    assert (first["name"], first["version"]) == ("xa-chuan", 1)
    assert tomllib.loads(first["toml"])["site"]["waiting_target_minutes"] == 15
    file.write_text(TEMPLATE.replace("15", "25"), encoding="utf-8")
    motcua("hub", "template", "put", "xa-chuan", str(file), "--database", database_url)
    second = hub.get("/api/hub/templates/xa-chuan", headers=auth).json()
    assert second["version"] == 2
    assert "25" in second["toml"]
    assert hub.get("/api/hub/templates/xa-chuan").status_code == 401


def test_a_template_a_centre_could_not_apply_is_refused(database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text("[site]\nname = 'x'\n[[services]]\ncode = 1\n", encoding="utf-8")
    put = motcua("hub", "template", "put", "bad", str(file), "--database", database_url)
    assert put.returncode == 1
    assert "services" in put.stderr
    assert "Traceback" not in put.stderr
