"""`motcua device revoke` and `motcua device rotate`, run as real processes."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.helpers.server_process import motcua, serve
from tests.server.test_cli_contract import add_device

pytestmark = pytest.mark.slow

TOKEN = re.compile(r"[A-Za-z0-9_\-]{20,}")


def status_with(server_url: str, token: str) -> int:
    with httpx.Client(base_url=server_url, timeout=10) as http:
        return http.get("/api/services", headers={"Authorization": f"Bearer {token}"}).status_code


def test_revoking_a_name_that_looks_like_a_digit_answers_without_a_traceback(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    add_device(data_dir, "Kiosk sảnh", "kiosk")
    # "²".isdigit() is true, yet it is no id.
    result = motcua("device", "revoke", "²", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "no device '²'" in result.stderr
    assert "Traceback" not in result.stderr
    add_device(data_dir, "²", "display")
    result = motcua("device", "revoke", "²", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "'²'" in result.stdout


def test_rotate_gives_a_new_token_and_the_old_one_stops_working_while_serving(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    old = add_device(data_dir, "Kiosk sảnh", "kiosk")
    with serve(data_dir) as server:
        assert status_with(server.url, old) == 200
        result = motcua("device", "rotate", "Kiosk sảnh", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        new = result.stdout.strip().splitlines()[-1]
        assert TOKEN.fullmatch(new), result.stdout
        assert status_with(server.url, old) == 401
        assert status_with(server.url, new) == 200

        # A revoked device can be given a token again (revoke, then rotate).
        assert motcua("device", "revoke", "1", "--data-dir", str(data_dir)).returncode == 0
        assert status_with(server.url, new) == 401
        result = motcua("device", "rotate", "1", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        assert "no longer revoked" in result.stdout
        assert status_with(server.url, result.stdout.strip().splitlines()[-1]) == 200
        server.stop_cleanly()
