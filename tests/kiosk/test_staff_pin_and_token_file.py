"""Real `motcua kiosk` processes: no default staff PIN (one is made up on the first start,
printed once, kept only as a hash in a 0600 settings file), and the device token read from
a file that only its account may read, never from the command line."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QSettings

from kiosk.admin_pin import stored
from tests.helpers.server_process import MOTCUA, child_env, serve
from tests.server.conftest import prepare_data_dir

pytestmark = pytest.mark.slow

PIN_LINE = re.compile(r"mã PIN cán bộ của máy này là (\d{6})")
START_S = 60.0  # a cold Qt start on a busy machine; a bound for a hang, not a measure


def kiosk_env(config: Path) -> dict[str, str]:
    return {**child_env(), "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config)}


@contextmanager
def kiosk(args: list[str], env: dict[str, str], stderr: Path) -> Iterator[subprocess.Popen[str]]:
    with stderr.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [MOTCUA, "kiosk", "--windowed", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    try:
        yield process
    finally:
        # SIGKILL: a SIGTERM that lands before Qt's event loop runs is lost (the kiosk's
        # handler asks a loop not yet running to exit), and a clean exit is not the point.
        process.kill()
        process.wait(timeout=30)


def wait_for(found: object, what: str) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if found():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {START_S} s")


def test_a_first_start_makes_up_a_pin_prints_it_once_and_keeps_only_its_hash(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config"
    token_file = tmp_path / "token"
    token_file.write_text("khong-can-may-chu\n", encoding="utf-8")
    token_file.chmod(0o600)
    args = ["--server", "http://127.0.0.1:9", "--token-file", str(token_file)]
    first = tmp_path / "first.log"
    with kiosk(args, kiosk_env(config), first):
        wait_for(lambda: PIN_LINE.search(first.read_text(encoding="utf-8")), "PIN line")
    [pin] = PIN_LINE.findall(first.read_text(encoding="utf-8"))
    assert "0000" not in first.read_text(encoding="utf-8").replace(pin, "")
    ini = config / "motcua" / "kiosk.ini"
    assert ini.stat().st_mode & 0o777 == 0o600
    assert pin not in ini.read_text(encoding="utf-8")
    kept = stored(QSettings(str(ini), QSettings.Format.IniFormat))
    assert kept is not None
    assert kept.matches(pin)
    assert not kept.matches("0000")
    # The next start uses the kept PIN and prints none.
    second = tmp_path / "second.log"
    with kiosk(args, kiosk_env(config), second) as process:
        time.sleep(3)  # let it start (not a timing assertion: it must print nothing)
        assert process.poll() is None, second.read_text(encoding="utf-8")
    assert not PIN_LINE.search(second.read_text(encoding="utf-8"))
    assert kept.hashed == stored(QSettings(str(ini), QSettings.Format.IniFormat)).hashed  # type: ignore[union-attr]


def test_the_technician_sets_the_pin_without_it_showing_anywhere(tmp_path: Path) -> None:
    config = tmp_path / "config"
    result = subprocess.run(
        [MOTCUA, "kiosk", "--set-admin-pin"],
        input="482916\n482916\n",
        env=kiosk_env(config),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "482916" not in result.stdout + result.stderr
    ini = config / "motcua" / "kiosk.ini"
    assert ini.stat().st_mode & 0o777 == 0o600
    kept = stored(QSettings(str(ini), QSettings.Format.IniFormat))
    assert kept is not None
    assert kept.matches("482916")


def test_a_token_file_open_to_other_users_is_refused(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("bi-mat\n", encoding="utf-8")
    token_file.chmod(0o644)
    for app in (["kiosk"], ["display"]):
        result = subprocess.run(
            [MOTCUA, *app, "--server", "http://127.0.0.1:9", "--token-file", str(token_file)],
            env=kiosk_env(tmp_path / "config"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert f"chmod 600 {token_file}" in result.stderr


def test_the_token_from_a_file_is_used_and_never_on_the_command_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    token_file = tmp_path / "kiosk.token"
    token_file.write_text(tokens["kiosk"] + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    env = {**kiosk_env(tmp_path / "config"), "MOTCUA_ADMIN_PIN": "135790"}
    with serve(data_dir) as server:
        args = ["--server", server.url, "--token-file", str(token_file)]
        with kiosk(args, env, tmp_path / "kiosk.log") as process:
            assert tokens["kiosk"].encode() not in Path(f"/proc/{process.pid}/cmdline").read_bytes()

            def kiosk_seen() -> bool:
                with httpx.Client(base_url=server.url, timeout=10) as http:
                    devices = http.get(
                        "/api/devices", headers={"Authorization": f"Bearer {tokens['admin']}"}
                    ).json()
                return any(d["kind"] == "kiosk" and d["last_seen_at"] for d in devices)

            wait_for(kiosk_seen, "heartbeat from the kiosk")
