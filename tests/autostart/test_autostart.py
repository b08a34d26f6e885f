"""`motcua autostart`: what starts each part at boot, printed and installed."""

from __future__ import annotations

import re
import shlex
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from motcua import autostart
from motcua.cli import main

SECRET = "dev-4Qx_7Lm-zz9-SECRET"
SERVER = "http://10.0.0.2:8000"

# Each part with flags of its own, and the words its ExecStart must carry after `motcua`.
PARTS = {
    "kiosk": (
        ["--server", SERVER, "--token", SECRET, "--printer", "win32://EPSON TM-T20",
         "--public-url", "http://hall.example:8000", "--language", "en"],
        ["kiosk", "--server", SERVER, "--printer", "win32://EPSON TM-T20",
         "--public-url", "http://hall.example:8000", "--language", "en"],
    ),
    "rating": (
        ["--server", SERVER, f"--token={SECRET}", "--counter", "3"],
        ["kiosk", "--mode", "rating", "--server", SERVER, "--counter", "3"],
    ),
    "counter": (
        ["--server", SERVER, "--counter", "2", "--language", "en"],
        ["counter", "--server", SERVER, "--counter", "2", "--language", "en"],
    ),
    "display": (
        ["--server", SERVER, "--token", SECRET, "--counters", "1,2", "--services", "TP,DD",
         "--volume", "80", "--silent"],
        ["display", "--server", SERVER, "--counters", "1,2", "--services", "TP,DD",
         "--volume", "80", "--silent"],
    ),
    "server": (
        ["--host", "0.0.0.0", "--port", "8080"],
        ["serve", "--data-dir", "/var/lib/motcua", "--host", "0.0.0.0", "--port", "8080"],
    ),
}  # fmt: skip


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    clean: dict[str, str | None] = {"MOTCUA_TOKEN": None, "MOTCUA_ADMIN_PIN": None}
    return CliRunner().invoke(main, ["autostart", *args], env={**clean, **(env or {})})


def printed_files(text: str) -> dict[str, str]:
    """The `--print` output, split back into its files by their `# ---- PATH` headers."""
    files: dict[str, str] = {}
    for chunk in re.split(r"^# ---- ", text, flags=re.MULTILINE)[1:]:
        header, _, body = chunk.partition("\n")
        files[header.split(" (mode")[0]] = body
    return files


def exec_start(unit: str) -> list[str]:
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


@pytest.mark.parametrize("part", list(PARTS))
def test_the_printed_unit_passes_systemd_analyze_verify(part: str, tmp_path: Path) -> None:
    flags, _ = PARTS[part]
    result = run(part, *flags, "--print")
    assert result.exit_code == 0, result.output
    files = printed_files(result.output)
    unit = files[f"/etc/systemd/system/motcua-{part}.service"]
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing (Debian's systemd package has it)")
    # ExecStart's programs must exist for verify: this venv's motcua, and xinit, which
    # `scripts/system-deps` (station and dev) installs.
    path = tmp_path / f"motcua-{part}.service"
    path.write_text(unit, encoding="utf-8")
    verify = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == ""


def test_verify_would_catch_a_broken_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing (Debian's systemd package has it)")
    unit = printed_files(run("counter", "--server", SERVER, "--print").output)
    text = unit["/etc/systemd/system/motcua-counter.service"]
    path = tmp_path / "motcua-counter.service"
    path.write_text(text.replace("/usr/bin/xinit", "/usr/bin/no-such-xinit"), encoding="utf-8")
    verify = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode != 0


@pytest.mark.parametrize("part", list(PARTS))
def test_each_parts_flags_are_carried_into_the_unit(part: str) -> None:
    flags, expected = PARTS[part]
    unit = printed_files(run(part, *flags, "--print").output)[
        f"/etc/systemd/system/motcua-{part}.service"
    ]
    words = exec_start(unit)
    motcua = next(i for i, w in enumerate(words) if w.endswith("/motcua"))
    assert Path(words[motcua]).is_file()  # this installation's own program
    if part == "server":
        assert words[motcua + 1 :] == expected
        return
    assert words[0] == "/usr/bin/xinit"
    separator = words.index("--")
    assert words[motcua + 1 : separator] == expected
    x_server = words[separator + 1 :]
    assert x_server[:3] == [str(autostart.X_WRAPPER), ":0", "vt1"]
    assert ("-nocursor" in x_server) == (part != "counter")  # the clerk uses a mouse


@pytest.mark.parametrize("part", ["kiosk", "rating", "display", "server", "counter"])
def test_a_unit_restarts_its_part_within_5_s_and_never_gives_up(part: str) -> None:
    flags, _ = PARTS[part]
    unit = printed_files(run(part, *flags, "--print").output)[
        f"/etc/systemd/system/motcua-{part}.service"
    ]
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#"
    )
    assert settings["Restart"] == "always"
    assert int(settings["RestartSec"]) <= 2
    assert settings["StartLimitIntervalSec"] == "0"
    assert settings["User"] == "motcua"
    if part == "server":
        assert int(settings["LimitNOFILE"]) >= 65536
        assert settings["StateDirectory"] == "motcua"
    else:
        # A frozen app (no WATCHDOG=1 from its GUI thread) is killed, then restarted.
        assert int(settings["WatchdogSec"]) + int(settings["RestartSec"]) <= 5
        assert settings["NotifyAccess"] == "all"
        assert settings["Type"] == "notify"
        assert settings["PAMName"] == "login"


def test_install_writes_the_files_with_their_modes_and_the_token_apart(tmp_path: Path) -> None:
    flags, _ = PARTS["kiosk"]
    result = run("kiosk", *flags, "--admin-pin", "2468", "--install", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    unit = tmp_path / "etc/systemd/system/motcua-kiosk.service"
    users = tmp_path / "etc/sysusers.d/motcua.conf"
    secrets = tmp_path / "etc/motcua/kiosk.env"
    x_server = tmp_path / "usr/local/libexec/motcua-xserver"
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted([unit, users, secrets, x_server])
    assert stat.S_IMODE(x_server.stat().st_mode) == 0o755
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    assert stat.S_IMODE(users.stat().st_mode) == 0o644
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert f"MOTCUA_TOKEN={SECRET}\n" in secrets.read_text()
    assert "MOTCUA_ADMIN_PIN=2468\n" in secrets.read_text()
    text = unit.read_text()
    assert SECRET not in text
    assert "2468" not in text
    assert "EnvironmentFile=/etc/motcua/kiosk.env" in text
    assert SECRET not in result.output
    assert "u motcua" in users.read_text()
    # Not the running system: it says what to run instead of running it.
    assert f"systemctl --root={tmp_path} enable motcua-kiosk.service" in result.output


def test_install_takes_the_token_from_the_environment_too(tmp_path: Path) -> None:
    result = run(
        "display", "--server", SERVER, "--install", "--root", str(tmp_path),
        env={"MOTCUA_TOKEN": SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert SECRET in (tmp_path / "etc/motcua/display.env").read_text()
    assert SECRET not in (tmp_path / "etc/systemd/system/motcua-display.service").read_text()


def test_the_kiosks_pin_may_come_from_the_environment(tmp_path: Path) -> None:
    result = run("kiosk", "--server", SERVER, "--install", "--root", str(tmp_path),
                 env={"MOTCUA_TOKEN": SECRET, "MOTCUA_ADMIN_PIN": "97531"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "MOTCUA_ADMIN_PIN=97531\n" in (tmp_path / "etc/motcua/kiosk.env").read_text()
    assert "97531" not in (tmp_path / "etc/systemd/system/motcua-kiosk.service").read_text()


def test_a_reinstall_replaces_the_files_and_keeps_the_secret_private(tmp_path: Path) -> None:
    for token in ("first-token", "second-token"):
        result = run("display", "--server", SERVER, "--token", token,
                     "--install", "--root", str(tmp_path))  # fmt: skip
        assert result.exit_code == 0, result.output
    secrets = tmp_path / "etc/motcua/display.env"
    assert "second-token" in secrets.read_text()
    assert "first-token" not in secrets.read_text()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert not list(tmp_path.rglob("*.tmp"))


def test_print_never_shows_the_token() -> None:
    result = run("kiosk", "--server", SERVER, "--token", SECRET, "--print",
                 env={"MOTCUA_TOKEN": SECRET})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert f"MOTCUA_TOKEN={autostart.PLACEHOLDER}" in result.output
    assert "(mode 600)" in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["kiosk", "--server", SERVER, "--no-such-flag", "--print"], "--no-such-flag"),
        (["display", "--print"], "--server"),
        (["display", "--server", SERVER, "--volume", "300", "--print"], "--volume"),
        (["rating", "--server", SERVER, "--print"], "--counter"),
        (["kiosk", "--server", SERVER, "--windowed", "--print"], "--windowed"),
        (["kiosk", "--server", SERVER, "--mode", "rating", "--print"], "autostart rating"),
        (["counter", "--server", SERVER, "--token", "x", "--print"], "--token"),
        (["kiosk", "--server", SERVER, "--install", "--root", "/nonexistent"], "token"),
        (["kiosk", "--server", SERVER], "--print"),
        (["kiosk", "--server", SERVER, "--print", "--install"], "--print"),
        (["printer", "--print"], "printer"),
    ],
)
def test_a_wrong_request_is_refused_before_anything_is_written(args: list[str], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output


def test_an_argument_with_specifiers_stays_literal() -> None:
    assert autostart.systemd_quote("tcp://10.0.0.5:9100") == "tcp://10.0.0.5:9100"
    assert autostart.systemd_quote("win32://EPSON TM") == '"win32://EPSON TM"'
    assert autostart.systemd_quote("50%") == "50%%"
    assert autostart.systemd_quote("$HOME") == "$$HOME"
    assert autostart.systemd_quote('a "b"') == '"a \\"b\\""'


def test_windows_gets_a_logon_task_and_a_loop_that_restarts_within_seconds(
    tmp_path: Path,
) -> None:
    args = ["display", "--server", SERVER, "--token", SECRET, "--counters", "1,2",
            "--platform", "windows", "--motcua", r"C:\motcua\Scripts\motcua.exe"]  # fmt: skip
    printed = run(*args, "--print")
    assert printed.exit_code == 0, printed.output
    assert SECRET not in printed.output
    result = run(*args, "--install", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "ProgramData/motcua"
    task_bytes = (folder / "motcua-display.xml").read_bytes()
    assert task_bytes.startswith(b"\xff\xfe")  # UTF-16, as schtasks /XML wants it
    task = ET.fromstring(task_bytes.decode("utf-16"))
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert task.find("t:Triggers/t:LogonTrigger", ns) is not None
    assert task.findtext("t:Settings/t:RestartOnFailure/t:Interval", namespaces=ns) == "PT1M"
    assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=ns) == "PT0S"
    loop = (folder / "motcua-display.ps1").read_text()
    assert "'display', '--server', 'http://10.0.0.2:8000', '--counters', '1,2'" in loop
    assert "Start-Sleep -Seconds 1" in loop
    assert SECRET not in loop
    assert SECRET not in task_bytes.decode("utf-16")
    assert f"MOTCUA_TOKEN={SECRET}" in (folder / "display.env").read_text()
    assert "schtasks /Create /TN motcua-display /XML" in result.output
