"""`bench/hub.py` keeps working as the hub changes: run at a tiny size, its figures have
their shape (never a timing checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "hub.py"


def test_the_hub_bench_runs_at_a_tiny_size(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--database", database_url, "--centres", "2",
         "--per-day", "30", "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["ingest"]["centres"] == 2
    assert figures["ingest"]["events"] > 100
    assert figures["ingest"]["shipments"] >= 2
    assert figures["year_fill"]["daily_rows"] > 1000
    assert set(figures["year_summary"]) == {
        f"{who}_{by}_s" for who in ("all", "one") for by in ("centre", "service", "day", "hour")
    }
