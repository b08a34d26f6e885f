"""`motcua site export` and `motcua site apply` as real processes on a real database
(issue #13): the export round-trips, an applied change is stored and described, and an
invalid or refused one changes nothing."""

from __future__ import annotations

import getpass
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from websockets.sync.client import connect as ws_connect

from queue_core.protocol import SiteUpdated, Snapshot, parse_event
from queue_core.site import parse_site
from queue_server.database import open_store, sample_site_text
from tests.helpers.server_process import motcua, serve
from tests.server.conftest import SITE, prepare_data_dir

pytestmark = pytest.mark.slow

# Every kind of setting, so that the round trip is tried on more than the defaults.
RICH_SITE = """
[site]
name = "Trung tâm Phục vụ hành chính công phường Ba Đình"
agency = "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"
timezone = "Asia/Ho_Chi_Minh"
rating_scale = 5
rating_reasons = ["Chờ đợi quá lâu"]
priority_ratio = 2
waiting_target_minutes = 25
call_phrase = "Xin mời công dân số {number} đến quầy {counter}"
holidays = "VN"

[site.hours]
default = ["07:30-11:30", "13:30-17:00"]
sat = ["07:30-11:30"]
sun = []
closed_dates = [2027-02-11]
working_dates = ["2027-02-20"]

[display]
ticker = "Công dân vui lòng giữ phiếu số."
spotlight_seconds = 15
history = 10
reading = "digits"
repeat = 3

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch"
prefix = "1"
digits = 4
daily_cap = 200
average_service_minutes = 7.5
waiting_target_minutes = 15

[services.hours]
default = ["08:00-11:00"]
fri = []

[[services]]
code = "CU"
name = "Lĩnh vực cũ"
prefix = "9"
retired = true

[[services]]
code = "DD"
name = "Đất đai"
prefix = "A"

[[counters]]
number = 1
name = "Quầy 1 – Hộ tịch"
services = ["TP", "DD"]
call_mode = "service_order"

[[counters]]
number = 9
services = ["CU"]
retired = true
"""


def apply(site_file: Path, data_dir: Path) -> tuple[int, str, str]:
    result = motcua("site", "apply", str(site_file), "--data-dir", str(data_dir))
    return result.returncode, result.stdout, result.stderr


def export(data_dir: Path) -> str:
    result = motcua("site", "export", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("text", [sample_site_text(), RICH_SITE], ids=["sample", "rich"])
def test_export_prints_toml_that_apply_takes_back_with_no_change(tmp_path: Path, text: str) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    open_store(data_dir, tmp_path / "site.toml").close()
    exported = export(data_dir)
    assert parse_site(exported) == parse_site(text)
    assert tomllib.loads(exported)["site"]["name"] == parse_site(text).site.name
    out = tmp_path / "exported.toml"
    out.write_text(exported, encoding="utf-8")
    assert apply(out, data_dir) == (0, "Không có thay đổi / No change\n", "")
    assert export(data_dir).splitlines()[2:] == exported.splitlines()[2:]  # all but the date


def test_an_applied_change_is_stored_and_told_one_line_each(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    changed = SITE.replace('name = "Đất đai"', 'name = "Đất đai – Nhà ở"').replace(
        "daily_cap = 3", "daily_cap = 50"
    )
    site_file = tmp_path / "new.toml"
    site_file.write_text(changed, encoding="utf-8")
    code, out, err = apply(site_file, data_dir)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Lĩnh vực DD: đổi tên 'Đất đai' → 'Đất đai – Nhà ở' / Service DD: renamed 'Đất đai' →"
        " 'Đất đai – Nhà ở'",
        "Lĩnh vực DD: số tối đa mỗi ngày 3 → 50 / Service DD: daily cap 3 → 50",
    ]
    assert parse_site(export(data_dir)) == parse_site(changed)
    # Who changed what, before → after, in one change.
    store = open_store(data_dir)
    try:
        logged = store.audit(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC), 10)
    finally:
        store.close()
    assert [(e.subject, e.setting, e.before, e.after) for e in reversed(logged)] == [
        ("service DD", "name", "Đất đai", "Đất đai – Nhà ở"),
        ("service DD", "daily_cap", 3, 50),
    ]
    assert {(e.actor, e.source) for e in logged} == {(f"cli:{getpass.getuser()}", "cli")}
    assert len({e.change_id for e in logged}) == 1
    # What the server reads at its next start: the services table and the stored site.
    with serve(data_dir) as server:
        with server.client(prepare_tokens(data_dir)) as http:
            services = {s["code"]: s for s in http.get("/api/services").json()}
        server.stop_cleanly()
    assert services["DD"]["name"] == "Đất đai – Nhà ở"
    assert services["DD"]["daily_cap"] == 50


def prepare_tokens(data_dir: Path) -> str:
    """A new kiosk token for `data_dir`."""
    result = motcua("device", "add", "kiosk 2", "--kind", "kiosk", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_an_invalid_file_exits_1_with_the_reason_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir)
    before = export(data_dir)
    bad = tmp_path / "bad.toml"
    bad.write_text(SITE.replace('prefix = "2"', 'prefix = "1"'), encoding="utf-8")
    code, out, err = apply(bad, data_dir)
    assert (code, out) == (1, "")
    assert "Tệp cấu hình không hợp lệ" in err
    assert "clashes with services[0].prefix" in err
    assert export(data_dir).splitlines()[2:] == before.splitlines()[2:]


def test_a_refused_change_exits_1_naming_the_waiting_ticket_and_changes_nothing(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    with serve(data_dir) as server:
        with server.client(tokens["kiosk"]) as http:
            response = http.post("/api/tickets", json={"service": "DD"})
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        server.stop_cleanly()
    before = export(data_dir)
    data = tomllib.loads(SITE)
    data["services"][1]["retired"] = True  # DD
    data["counters"][1]["services"] = ["TP"]
    data["counters"][2]["retired"] = True  # it served DD alone
    retired = tomli_w.dumps(data)
    site_file = tmp_path / "retire.toml"
    site_file.write_text(retired, encoding="utf-8")
    code, out, err = apply(site_file, data_dir)
    assert (code, out) == (1, "")
    assert "Không áp dụng được thay đổi cấu hình" in err
    assert f"service DD would retire with numbers still waiting: {number}" in err
    assert export(data_dir).splitlines()[2:] == before.splitlines()[2:]


def test_apply_while_a_server_runs_is_taken_live_and_announced(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    site_file = tmp_path / "new.toml"
    site_file.write_text(
        SITE.replace("daily_cap = 3", "daily_cap = 4").replace(
            'name = "Đất đai"', 'name = "Đất đai – Nhà ở"'
        ),
        encoding="utf-8",
    )
    with serve(data_dir) as server:
        stream_url = server.url.replace("http://", "ws://") + "/ws/events"
        with ws_connect(f"{stream_url}?token={tokens['display']}", open_timeout=10) as board:
            Snapshot.model_validate_json(board.recv(timeout=10))
            code, out, err = apply(site_file, data_dir)
            assert (code, err) == (0, "")
            assert "Lĩnh vực DD: đổi tên 'Đất đai' → 'Đất đai – Nhà ở'" in out
            assert "The running server takes the change within seconds" in out
            # The board is told with the whole new state, as it is on connecting.
            event = parse_event(board.recv(timeout=10))
        assert isinstance(event, SiteUpdated)
        assert {s.code: s.name for s in event.snapshot.services}["DD"] == "Đất đai – Nhà ở"
        assert event.snapshot.seq == event.seq
        with server.client(tokens["kiosk"]) as http:
            services = {s["code"]: s for s in http.get("/api/services").json()}
        server.stop_cleanly()
    assert services["DD"]["name"] == "Đất đai – Nhà ở"
    assert services["DD"]["daily_cap"] == 4
    assert "daily_cap = 4" in export(data_dir)


def test_serve_with_a_changed_site_file_applies_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(SITE.replace("xã Thử Nghiệm", "phường Mới"), encoding="utf-8")
    with serve(data_dir, renamed) as server:
        with server.client(tokens["kiosk"]) as http:
            name = http.get("/api/site").json()["name"]
        server.stop_cleanly()
    assert name == "Trung tâm Phục vụ hành chính công phường Mới"
    assert "phường Mới" in export(data_dir)


def test_a_dry_run_beside_a_running_server_tells_and_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(SITE.replace('name = "Đất đai"', 'name = "Đất đai – Nhà ở"'), "utf-8")
    data = tomllib.loads(SITE)
    data["counters"][1]["services"] = ["TP"]  # nobody left to call DD
    data["counters"][2]["services"] = ["TP"]
    orphaning = tmp_path / "orphaning.toml"
    orphaning.write_text(tomli_w.dumps(data), "utf-8")
    with serve(data_dir) as server:
        with server.client(tokens["kiosk"]) as http:
            number = http.post("/api/tickets", json={"service": "DD"}).json()["number"]
        told = motcua("site", "apply", str(renamed), "--dry-run", "--data-dir", str(data_dir))
        refused = motcua("site", "apply", str(orphaning), "--dry-run", "--data-dir", str(data_dir))
        with server.client(tokens["kiosk"]) as http:
            names = {s["code"]: s["name"] for s in http.get("/api/services").json()}
        server.stop_cleanly()
    assert (told.returncode, told.stderr) == (0, "")
    assert told.stdout.startswith("Lĩnh vực DD: đổi tên 'Đất đai' → 'Đất đai – Nhà ở'")
    assert refused.returncode == 1
    assert f"no counter would call the waiting numbers of service DD: {number}" in refused.stderr
    assert names["DD"] == "Đất đai"
    assert parse_site(export(data_dir)) == parse_site(SITE)


def test_export_of_a_directory_without_a_database_says_so(tmp_path: Path) -> None:
    result = motcua("site", "export", "--data-dir", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "there is no database here yet" in result.stderr


def test_a_retired_service_is_offered_no_more_and_issues_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    data = tomllib.loads(SITE)
    data["services"][1]["retired"] = True  # DD
    data["counters"][1]["services"] = ["TP"]
    data["counters"][2]["retired"] = True
    site_file = tmp_path / "retire.toml"
    site_file.write_text(tomli_w.dumps(data), "utf-8")
    code, out, err = apply(site_file, data_dir)
    assert (code, err) == (0, "")
    assert "Service DD: retired (its history stays)" in out
    with serve(data_dir) as server:
        with server.client(tokens["kiosk"]) as http:
            offered = [s["code"] for s in http.get("/api/services").json()]
            refused = http.post("/api/tickets", json={"service": "DD"})
            taken = http.post("/api/tickets", json={"service": "TP"})
            counters = [c["number"] for c in http.get("/api/counters").json()]
        with server.client(tokens["hung"]) as clerk:
            at_retired = clerk.post("/api/counters/3/open")
        server.stop_cleanly()
    assert counters == [1, 2]  # counter 3 is retired: boards and desks list it no more
    assert at_retired.status_code == 409
    assert "ngừng hoạt động" in at_retired.json()["detail"]
    assert offered == ["TP"]
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Đất đai: lĩnh vực đã ngừng cấp số"
    assert taken.status_code == 201
