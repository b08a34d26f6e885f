"""The store is narrow: no SQL, no database module and no row access outside the SQLite
store (`queue_server/store/sqlite/`), so a second backend is a new module, not a rewrite
(issue #12). Import-linter keeps the imports out; this reads the code for the rest."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "queue_core",
    "queue_server",
    "queue_client",
    "kiosk",
    "counter_client",
    "display_board",
    "printer_drivers",
    "motcua",
)
SQLITE_STORE = ROOT / "queue_server" / "store" / "sqlite"
# The one place that chooses the backend names it: `queue_server.store.connect` (and the
# whole-database `backup` and `restore` beside it).
FACTORY = ROOT / "queue_server" / "store" / "__init__.py"

SQL = re.compile(
    r"\bselect\s+[\w*(].*\bfrom\s+\w"
    r"|\binsert\s+(or\s+\w+\s+)?into\s+\w"
    r"|\bupdate\s+\w+\s+set\s+\w"
    r"|\bdelete\s+from\s+\w"
    r"|\bcreate\s+(unique\s+)?(table|index)\b"
    r"|\bpragma\s+\w"
    r"|\bbegin\s+(immediate|exclusive)\b",
    re.IGNORECASE | re.DOTALL,
)
ROW_ACCESS = re.compile(r"\brows?(\[\d+\])?\[\s*[\"']\w+[\"']\s*\]|\.fetch(one|all|many)\(")


def offences(source: str) -> list[str]:
    """What in `source` belongs in the SQLite store alone: SQL in a string, a database
    module's name in the code, a row read by column name."""
    found: list[str] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        where = f"line {token.start[0]}"
        if token.type == tokenize.STRING and SQL.search(token.string):
            found.append(f"{where}: SQL {token.string[:60]!r}")
        elif token.type == tokenize.NAME and "sqlite" in token.string.lower():
            found.append(f"{where}: {token.string}")
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if ROW_ACCESS.search(code):
            found.append(f"line {number}: row access {line.strip()[:60]!r}")
    return found


def without_function(source: str, name: str) -> str:
    """`source` without the top-level function `name` (which must be there)."""
    (found,) = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == name
    ]
    segment = ast.get_source_segment(source, found)
    assert segment is not None
    return source.replace(segment, "")


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if SQLITE_STORE not in path.parents
    )


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_database_module_or_row_access_outside_the_sqlite_store(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    if path == FACTORY:
        for name in ("connect", "backup", "restore"):
            source = without_function(source, name)
    assert offences(source) == []


@pytest.mark.parametrize(
    "planted",
    [
        'rows = db.query("select * from tickets where id = ?", [1])',
        'db.execute("INSERT INTO events (seq) VALUES (?)", [1])',
        'db.execute("update tickets set status = ? where id = ?", x)',
        "import sqlite3",
        'name = user["display_name"]',
        "first = cursor.fetchone()",
    ],
)
def test_the_scan_finds_what_it_forbids(planted: str) -> None:
    source = planted.replace("user[", "row[") + "\n"
    assert offences(source), planted


def test_the_sqlite_store_is_where_the_sql_is() -> None:
    sql_modules = [p for p in SQLITE_STORE.rglob("*.py") if offences(p.read_text("utf-8"))]
    assert SQLITE_STORE / "__init__.py" in sql_modules
