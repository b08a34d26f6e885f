"""Each app fills the screen on a bare X server, as the autostart unit runs it: no desktop,
no window manager to honour "full screen".

Real processes: Xvfb, `motcua serve` and the app (`motcua kiosk|counter|display`, Qt on its
xcb platform, not offscreen). Set MOTCUA_SHOTS_DIR=docs/img (and MOTCUA_NOWM_SCREEN=1920x1080)
to write each screen to `fullscreen-APP-nowm.png`.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from motcua import autostart
from motcua.cli import main
from motcua.demo import _prepare as prepare_demo_hall
from tests.helpers.server_process import MOTCUA, ServerProcess, child_env, serve

XVFB = shutil.which("Xvfb")
TOOLS = {name: shutil.which(name) for name in ("xdotool", "xprop", "import")}
pytestmark = pytest.mark.skipif(
    XVFB is None or None in TOOLS.values(),
    reason="Xvfb, xdotool, xprop or ImageMagick's import is missing "
    "(`scripts/system-deps dev` installs them)",
)

SCREEN = os.environ.get("MOTCUA_NOWM_SCREEN", "1366x768")
WIDTH, HEIGHT = (int(n) for n in SCREEN.split("x"))
SHOTS = os.environ.get("MOTCUA_SHOTS_DIR")
START_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A fresh Xvfb, its number chosen by Xvfb itself (-displayfd) so runs never collide."""
    assert XVFB is not None
    read_end, write_end = os.pipe()
    # -br: a black root window, so a corner the app leaves unpainted shows.
    command = [XVFB, "-displayfd", str(write_end), "-screen", "0", f"{SCREEN}x24", "-br"]
    xvfb = subprocess.Popen(
        [*command, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as ready:
            number = ready.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@pytest.fixture(scope="module")
def hall(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("nowm") / "data"
    tokens = prepare_demo_hall(data_dir)  # the sample centre, open at any hour
    with serve(data_dir) as server:
        yield server, {"kiosk": tokens.kiosk, "display": tokens.display}


def x11(display: str, *args: str) -> str:
    tool = TOOLS[args[0]]
    assert tool is not None
    found = subprocess.run(
        [tool, *args[1:]],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return found.stdout


def shown_geometry(display: str, pid: int) -> dict[str, int] | None:
    """The geometry of the app's visible top-level window, once it has one."""
    windows = x11(display, "xdotool", "search", "--onlyvisible", "--pid", str(pid)).split()
    if not windows:
        return None
    shell = x11(display, "xdotool", "getwindowgeometry", "--shell", windows[-1])
    values = dict(line.split("=", 1) for line in shell.splitlines() if "=" in line)
    return {key: int(values[key]) for key in ("X", "Y", "WIDTH", "HEIGHT", "WINDOW")}


def screenshot(display: str) -> Image.Image:
    shot = subprocess.run(
        [str(TOOLS["import"]), "-window", "root", "png:-"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        timeout=30,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(shot)).convert("RGB")


@pytest.mark.parametrize("app", ["kiosk", "counter", "display"])
def test_the_app_fills_the_screen_with_no_window_manager(
    app: str, display: str, hall: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    server, tokens = hall
    # No window manager: none has announced itself on the root window.
    assert "window id" not in x11(display, "xprop", "-root", "_NET_SUPPORTING_WM_CHECK")
    env = {k: v for k, v in child_env().items() if k != "QT_QPA_PLATFORM"}  # xcb, for real
    env |= {"DISPLAY": display, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    if app in tokens:
        env["MOTCUA_TOKEN"] = tokens[app]
    log = tmp_path / f"{app}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [MOTCUA, app, "--server", server.url, *(["--admin-pin", "2468"] * (app == "kiosk"))],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        geometry = None
        while time.monotonic() < deadline and process.poll() is None:
            geometry = shown_geometry(display, process.pid)
            if geometry and geometry["WIDTH"] == WIDTH and geometry["HEIGHT"] == HEIGHT:
                break
            time.sleep(0.2)
        assert process.poll() is None, log.read_text()
        assert geometry is not None, f"no window shown; log:\n{log.read_text()}"
        assert (geometry["X"], geometry["Y"]) == (0, 0)
        assert (geometry["WIDTH"], geometry["HEIGHT"]) == (WIDTH, HEIGHT)
        # With no window manager the keyboard follows the pointer: it must be on the app.
        pointer = x11(display, "xdotool", "getmouselocation", "--shell")
        assert f"WINDOW={geometry['WINDOW']}" in pointer
        if SHOTS:
            time.sleep(3)  # let the app draw what the server sent, for the picture only
        # The root is black (-br): every corner painted by the app means it covers the
        # screen. The first frame may come a moment after the window is mapped.
        corners = ((0, 0), (WIDTH - 1, 0), (0, HEIGHT - 1), (WIDTH - 1, HEIGHT - 1))
        while True:
            image = screenshot(display)
            unpainted = [c for c in corners if image.getpixel(c) == (0, 0, 0)]
            if not unpainted or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert image.size == (WIDTH, HEIGHT)
        assert not unpainted, f"corners {unpainted} not covered"
        if SHOTS:
            image.save(Path(SHOTS) / f"fullscreen-{app}-nowm.png", optimize=True)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# --- the unit's own command line, with Xvfb standing in for the X server ------------------


def free_display() -> int:
    """A display number no live X server holds (X itself clears a dead one's lock)."""
    for number in range(50, 100):
        lock = Path(f"/tmp/.X{number}-lock")
        try:
            os.kill(int(lock.read_text()), 0)
        except (OSError, ValueError):
            return number
    raise AssertionError("no free X display number")


@pytest.mark.skipif(shutil.which("xinit") is None, reason="xinit is missing (system-deps)")
def test_under_xinit_the_app_tells_systemd_it_lives_and_its_death_ends_the_session(
    hall: tuple[ServerProcess, dict[str, str]], tmp_path: Path
) -> None:
    """What the unit's Type=notify, NotifyAccess=all and Restart=always rest on: the
    app, a child of xinit and not the unit's main process, gets NOTIFY_SOCKET through
    xinit and sends READY=1 then WATCHDOG=1; killed, it takes xinit down with it."""
    server, tokens = hall
    printed = CliRunner().invoke(
        main, ["autostart", "display", "--server", server.url, "--print"], env={}
    )
    unit = printed.output.split("# ---- ")[1]
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    client = words[: words.index("--")]  # xinit MOTCUA display --server URL
    assert words[words.index("--") + 1] == str(autostart.X_WRAPPER)
    x_server = tmp_path / "x-server"  # the unit's X wrapper, starting Xvfb instead of X
    x_server.write_text(autostart.x_wrapper(str(XVFB)))
    x_server.chmod(0o755)
    number = free_display()
    xvfb = [str(x_server), f":{number}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"]
    address = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(address))
        notify.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        notify.settimeout(START_TIMEOUT_S)
        env = {k: v for k, v in child_env().items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
        env |= {
            "NOTIFY_SOCKET": str(address),
            "MOTCUA_TOKEN": tokens["display"],  # what EnvironmentFile= gives the unit
            "HOME": str(tmp_path),
        }
        with (tmp_path / "xinit.log").open("w") as log:
            session = subprocess.Popen(
                [*client, "--", *xvfb],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: X and the app go with it
            )
        try:
            heard: list[tuple[str, int]] = []
            size = struct.calcsize("3i")
            while len(heard) < 3:
                data, ancillary, _, _ = notify.recvmsg(4096, socket.CMSG_SPACE(size))
                (_, _, credentials) = ancillary[0]
                pid, _, _ = struct.unpack("3i", credentials[:size])
                heard.append((data.decode(), pid))
            assert [message for message, _ in heard] == ["READY=1", "WATCHDOG=1", "WATCHDOG=1"]
            app_pid = heard[0][1]
            assert app_pid != session.pid  # hence NotifyAccess=all in the unit
            os.kill(app_pid, 9)
            # xinit ends when its client dies: the unit's main process exits, and
            # Restart=always starts the whole session again.
            session.wait(30)
        finally:
            lock = Path(f"/tmp/.X{number}-lock")  # xinit puts X in a group of its own
            groups = [session.pid, *([int(lock.read_text())] if lock.exists() else [])]
            for group in groups:  # SIGTERM first: X removes its lock file as it goes
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, 15)
            with contextlib.suppress(subprocess.TimeoutExpired):
                session.wait(10)
            for group in groups:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, 9)
            session.wait(10)
