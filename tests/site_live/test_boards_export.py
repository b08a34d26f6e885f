"""`motcua site export` writes the boards back as `site apply` takes them, with no change,
and `site apply` tells each board's change in one line (issue #13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_core.site import parse_site
from queue_server.database import open_store
from tests.helpers.server_process import motcua
from tests.server.conftest import SITE

pytestmark = pytest.mark.slow

BOARDS = """
[[boards]]
name = "Sảnh A"
counters = [1, 2]

[[boards]]
name = "Tầng 2 – Đất đai"
services = ["DD"]

[[boards]]
name = "Quầy 3 và Tư pháp"
counters = [3]
services = ["TP"]

[[boards]]
name = "Sảnh chính"
"""


def test_boards_round_trip_through_export_and_apply(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "site.toml").write_text(SITE + BOARDS, encoding="utf-8")
    open_store(data_dir, tmp_path / "site.toml").close()
    exported = motcua("site", "export", "--data-dir", str(data_dir)).stdout
    assert parse_site(exported) == parse_site(SITE + BOARDS)
    assert len(parse_site(exported).boards) == 4
    (tmp_path / "exported.toml").write_text(exported, encoding="utf-8")
    again = motcua("site", "apply", str(tmp_path / "exported.toml"), "--data-dir", str(data_dir))
    assert (again.returncode, again.stdout) == (0, "Không có thay đổi / No change\n")

    edited = SITE + BOARDS.replace("counters = [1, 2]", "counters = [2]").replace(
        'name = "Sảnh chính"\n', 'name = "Sảnh phụ"\nservices = ["TP", "DD"]\n'
    )
    (tmp_path / "edited.toml").write_text(edited, encoding="utf-8")
    applied = motcua("site", "apply", str(tmp_path / "edited.toml"), "--data-dir", str(data_dir))
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        "Màn hình Sảnh A: hiện quầy 2 / Board Sảnh A: shows counters 2",
        "Màn hình Sảnh phụ: thêm, hiện lĩnh vực TP, DD / Board Sảnh phụ: added, shows"
        " services TP, DD",
        "Màn hình Sảnh chính: bỏ, nay hiện tất cả / Board Sảnh chính: removed, now shows"
        " everything",
    ]


def test_a_board_naming_an_unknown_counter_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "site.toml").write_text(SITE, encoding="utf-8")
    open_store(data_dir, tmp_path / "site.toml").close()
    (tmp_path / "bad.toml").write_text(
        SITE + '\n[[boards]]\nname = "Sảnh A"\ncounters = [1, 7]\n', encoding="utf-8"
    )
    refused = motcua("site", "apply", str(tmp_path / "bad.toml"), "--data-dir", str(data_dir))
    assert refused.returncode == 1
    assert "boards[0].counters: unknown counter '7'" in refused.stderr
    store = open_store(data_dir)
    try:
        assert store.site() == parse_site(SITE)
    finally:
        store.close()
