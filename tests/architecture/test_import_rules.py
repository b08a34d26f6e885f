"""Each rule of ARCHITECTURE.md is an import-linter contract: plant each forbidden import
in a scratch copy of the code and `lint-imports` (the rules' part of `scripts/check`)
must fail naming the rule."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "motcua",
    "queue_core",
    "queue_server",
    "queue_hub",
    "queue_client",
    "printer_drivers",
    "kiosk",
    "counter_client",
    "display_board",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("code")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    (copy / "tests" / "architecture").mkdir(parents=True)
    (copy / "tests" / "__init__.py").touch()
    (copy / "tests" / "architecture" / "__init__.py").touch()
    shutil.copy(ROOT / "tests" / "architecture" / "allowlist.py", copy / "tests" / "architecture")
    return copy


def lint(copy: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=copy, capture_output=True, text=True, check=False
    )


def test_the_code_as_it_is_keeps_every_rule(scratch: Path) -> None:
    result = lint(scratch)
    assert result.returncode == 0, result.stdout
    assert " broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


RULES = [
    ("queue_core/model.py", "import babel", "queue_core is pure"),
    (
        "queue_core/dispatch.py",
        "import sqlite3",
        "Only the SQLite store (queue_server.store.sqlite) touches",
    ),
    ("queue_server/app.py", "import PySide6.QtCore", "queue_server: the web stack"),
    ("queue_server/views.py", "import kiosk", "queue_server: the web stack"),
    ("queue_server/app.py", "import printer_drivers", "queue_server: the web stack"),
    ("queue_server/app.py", "import motcua", "queue_server: the web stack"),
    ("motcua/supervisor.py", "import PySide6", "run without Qt"),
    ("queue_server/service.py", "import sqlite3", "Only the SQLite store"),
    ("queue_server/store/__init__.py", "import sqlite3", "Only the SQLite store"),
    ("display_board/board.py", "import printer_drivers", "no printer"),
    ("counter_client/waiting.py", "import printer_drivers", "no printer"),
    ("display_board/board.py", "import kiosk", "never import one another"),
    ("kiosk/home.py", "import httpx", "The kiosk: Qt, queue_client and the printer"),
    ("kiosk/printing.py", "import escpos", "Only printer_drivers.backend touches escpos"),
    ("queue_client/rest.py", "import queue_server", "queue_client: the wire"),
    ("printer_drivers/layout.py", "import queue_client", "printer_drivers: imaging and ESC/POS"),
    ("printer_drivers/layout.py", "import PySide6", "printer_drivers: imaging and ESC/POS"),
    ("queue_hub/app.py", "import queue_server", "hub and the centre's server never import"),
    ("queue_server/app.py", "import queue_hub", "hub and the centre's server never import"),
    ("queue_hub/app.py", "import psycopg", "Only the hub's store (queue_hub.store)"),
    ("queue_server/service.py", "import psycopg", "Only the hub's store (queue_hub.store)"),
    ("queue_hub/app.py", "import sqlite_utils", "queue_hub: the web stack, PostgreSQL"),
]


@pytest.mark.parametrize(("module", "statement", "rule"), RULES)
def test_a_planted_import_breaks_its_rule(
    scratch: Path, module: str, statement: str, rule: str
) -> None:
    path = scratch / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{statement}  # planted\n", encoding="utf-8")
    try:
        result = lint(scratch)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0, f"{statement} in {module} passed:\n{result.stdout}"
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(rule in line for line in broken), result.stdout
