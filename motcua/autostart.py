"""What starts a part of the hall at boot and restarts it when it dies or freezes.

`motcua autostart PART [flags] --print | --install` renders, for one part (the server or an
app), the files a PC needs:

- on Linux, a systemd unit, a `sysusers.d` entry for the dedicated `motcua` user, and for a
  device's secrets an environment file readable by root alone (systemd reads it before it
  drops to the user; the secret never appears on a command line or in the unit);
- on Windows, a Task Scheduler task and the PowerShell loop it runs.

This module only renders and writes files; the command line (`motcua.cli`) checks the
part's flags and runs `systemctl`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from xml.sax.saxutils import escape

from queue_client.beat import FROZEN_AFTER_S

PARTS = ("kiosk", "counter", "display", "rating", "server")
APPS = ("kiosk", "counter", "display", "rating")

# The part's own subcommand and the flags it always gets.
COMMANDS: Mapping[str, tuple[str, ...]] = {
    "kiosk": ("kiosk",),
    "rating": ("kiosk", "--mode", "rating"),
    "counter": ("counter",),
    "display": ("display",),
    "server": ("serve",),
}

# Flags whose values are secrets, and the variable each app reads them from instead.
SECRETS: Mapping[str, str] = {"--token": "MOTCUA_TOKEN", "--admin-pin": "MOTCUA_ADMIN_PIN"}
PLACEHOLDER = "PASTE-THE-DEVICE-TOKEN-HERE"

USER = "motcua"
HOME = "/var/lib/motcua"  # the user's home and, by default, the server's data
DATA_DIR = HOME
UNIT_DIR = PurePosixPath("/etc/systemd/system")
ENV_DIR = PurePosixPath("/etc/motcua")
SYSUSERS = PurePosixPath("/etc/sysusers.d/motcua.conf")
X_WRAPPER = PurePosixPath("/usr/local/libexec/motcua-xserver")
X_SERVER = "/usr/bin/X"

# Seconds. A crash is followed by a new start after RESTART_S; a frozen GUI thread (no
# WATCHDOG=1 for WATCHDOG_S) is killed, then started again RESTART_S later.
RESTART_S = 1
WATCHDOG_S = FROZEN_AFTER_S

# Flags a part no longer accepts once it runs from here (the task loop needs full screen).
_REFUSED = ("--windowed", "--mode", "--help")


class AutostartError(ValueError):
    """A request that cannot be turned into a start-up set-up; the message says why."""


@dataclass(frozen=True, slots=True)
class Setup:
    """One part as it is to start at boot.

    Attributes:
        part: one of PARTS.
        args: the part's flags, secrets taken out.
        secrets: variable name → value, for the environment file.
        motcua: the absolute path of the `motcua` program to run.
        vt: the virtual terminal (and X display :vt-1) an app's session takes.
    """

    part: str
    args: tuple[str, ...]
    secrets: Mapping[str, str] = field(default_factory=dict)
    motcua: str = "/usr/local/bin/motcua"
    vt: int = 1

    @property
    def command(self) -> tuple[str, ...]:
        return (self.motcua, *COMMANDS[self.part], *self.args)

    @property
    def name(self) -> str:
        return f"motcua-{self.part}"


@dataclass(frozen=True, slots=True)
class File:
    """A file to write: its absolute path on the target system, text and mode."""

    path: PurePosixPath | PureWindowsPath
    text: str
    mode: int = 0o644
    encoding: str = "utf-8"


def split_secrets(args: Sequence[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """Take `--token X` / `--token=X` (and the other SECRETS) out of `args`."""
    public: list[str] = []
    secrets: dict[str, str] = {}
    items = iter(args)
    for arg in items:
        flag, equals, value = arg.partition("=")
        if flag in SECRETS:
            if not equals:
                value = next(items, "")
            if not value:
                raise AutostartError(f"{flag} needs a value")
            secrets[SECRETS[flag]] = value
        else:
            public.append(arg)
    return tuple(public), secrets


def with_defaults(part: str, args: tuple[str, ...]) -> tuple[str, ...]:
    """The server keeps its data where the unit's StateDirectory= is, unless told."""
    if part == "server" and _flag_value(args, "--data-dir") is None:
        return ("--data-dir", DATA_DIR, *args)
    return args


def check_args(part: str, args: Sequence[str]) -> None:
    if part not in PARTS:
        raise AutostartError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    for arg in args:
        flag = arg.partition("=")[0]
        if flag == "--mode":
            raise AutostartError("a rating tablet is its own part: motcua autostart rating")
        if flag in _REFUSED:
            raise AutostartError(f"{arg} has no place in a part started at boot")
        if "\n" in arg or "\0" in arg:
            raise AutostartError("a flag may not hold a line break")


# --- Linux: systemd ------------------------------------------------------------------------


def systemd_quote(arg: str) -> str:
    """One word of ExecStart=, as systemd splits and expands it (`%` specifiers and `$`
    variables are doubled to stay literal)."""
    literal = arg.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./$-]+", literal):
        return literal
    return '"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _exec(words: Sequence[str]) -> str:
    return " ".join(systemd_quote(word) for word in words)


def env_file(setup: Setup) -> PurePosixPath:
    return ENV_DIR / f"{setup.part}.env"


def server_unit(setup: Setup) -> str:
    args = with_defaults("server", setup.args)
    data_dir = _flag_value(args, "--data-dir") or DATA_DIR
    state = ""
    if data_dir.startswith("/var/lib/"):
        # systemd creates it and hands it to the user before each start.
        state = f"StateDirectory={data_dir.removeprefix('/var/lib/')}\nStateDirectoryMode=0750\n"
    command = (setup.motcua, *COMMANDS["server"], *args)
    environment = f"EnvironmentFile={env_file(setup)}\n" if setup.secrets else ""
    return f"""\
# Written by `motcua autostart server`. The queue server, started at boot and again
# {RESTART_S} s after it stops for any reason.
[Unit]
Description=motcua queue server
Wants=network-online.target
After=network-online.target
# Never give up: the default start limit (5 starts in 10 s) would leave the hall without
# a server after a few quick failures.
StartLimitIntervalSec=0

[Service]
Type=simple
User={USER}
Group={USER}
{state}WorkingDirectory={data_dir}
{environment}ExecStart={_exec(command)}
Restart=always
RestartSec={RESTART_S}
# One descriptor per open event stream: every board, kiosk, counter and phone keeps one.
LimitNOFILE=65536
# `serve` ends cleanly on SIGTERM; a hung one is killed after this.
TimeoutStopSec=10
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
"""


def app_unit(setup: Setup) -> str:
    tty = f"tty{setup.vt}"
    display = f":{setup.vt - 1}"
    # A touch screen or a wall board shows no pointer; the clerk's desk is used with a mouse.
    cursor = () if setup.part == "counter" else ("-nocursor",)
    x_server = (
        "--",
        str(X_WRAPPER),
        display,
        f"vt{setup.vt}",
        "-keeptty",  # stay on the unit's terminal, where logind gave us the seat
        "-nolisten",
        "tcp",
        *cursor,
        "-s",  # no screen saver, no power saving: the screen is the product
        "0",
        "-dpms",
    )
    command = ("/usr/bin/xinit", *setup.command, *x_server)
    environment = f"EnvironmentFile={env_file(setup)}\n" if setup.secrets else ""
    return f"""\
# Written by `motcua autostart {setup.part}`. The {setup.part} app, full screen at boot in
# a bare X session on {tty} (xinit starts X and the app, no desktop, no window manager:
# the app sets its own geometry to the screen's). It is started again {RESTART_S} s after it
# exits, and killed and started again when its GUI thread stops answering for {WATCHDOG_S} s.
[Unit]
Description=motcua {setup.part} (full screen on {tty}, no desktop)
Wants=network-online.target
After=network-online.target systemd-user-sessions.service systemd-logind.service
# The app takes the terminal the login prompt would use.
Conflicts=getty@{tty}.service
After=getty@{tty}.service
StartLimitIntervalSec=0

[Service]
# Type=notify under xinit: the main process is xinit, the app a child of it. The app sends
# READY=1 once its window is up and WATCHDOG=1 every second from its GUI thread, and
# NotifyAccess=all makes systemd take those from any process of the unit, not only the
# main one. READY=1 also arms the watchdog only once the app is up, so a slow first start
# (X, then importing Qt) is bounded by TimeoutStartSec, not mistaken for a freeze. The X
# server sends a READY=1 of its own when it sees NOTIFY_SOCKET, which would end the
# start-up before the app is up: {X_WRAPPER} starts X without it.
Type=notify
NotifyAccess=all
WatchdogSec={WATCHDOG_S}
TimeoutStartSec=60
TimeoutStopSec=2
Restart=always
RestartSec={RESTART_S}
User={USER}
# A logind session on {tty}: it lets X open the screen and input devices as this user,
# and starts the user's sound server for the board's voice.
PAMName=login
TTYPath=/dev/{tty}
TTYReset=yes
TTYVHangup=yes
StandardInput=tty
StandardOutput=journal
StandardError=journal
UtmpIdentifier={tty}
UtmpMode=user
# The user's home: the counter's per-PC settings and Qt's caches live here.
StateDirectory=motcua
WorkingDirectory={HOME}
{environment}ExecStart={_exec(command)}

[Install]
WantedBy=multi-user.target
"""


def x_wrapper(server: str = X_SERVER) -> str:
    """The X server of an app's unit, without NOTIFY_SOCKET (see app_unit)."""
    return f"""\
#!/bin/sh
# Written by `motcua autostart`. X sends systemd READY=1 itself when it finds
# NOTIFY_SOCKET; under a motcua unit only the app may say it is ready.
unset NOTIFY_SOCKET
exec {server} "$@"
"""


def sysusers() -> str:
    return f"""\
# Written by `motcua autostart`: the user the server and the apps run as.
u {USER} - "motcua queue system" {HOME}
# Screen, keyboard and touch for X; the board's voice; serial and parallel printers.
m {USER} video
m {USER} input
m {USER} audio
m {USER} dialout
m {USER} lp
"""


def environment(secrets: Mapping[str, str]) -> str:
    lines = ["# Written by `motcua autostart`; secrets, readable by root alone."]
    for name, value in secrets.items():
        if not re.fullmatch(r"[A-Za-z0-9_.~+/=-]+", value):
            raise AutostartError(f"{name}: a token holds letters, digits and -_.~+/= only")
        lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def linux_files(setup: Setup) -> list[File]:
    unit = server_unit(setup) if setup.part == "server" else app_unit(setup)
    files = [
        File(UNIT_DIR / f"{setup.name}.service", unit),
        File(SYSUSERS, sysusers()),
    ]
    if setup.part != "server":
        files.append(File(X_WRAPPER, x_wrapper(), 0o755))
    if setup.secrets:
        files.append(File(env_file(setup), environment(setup.secrets), 0o600))
    return files


def linux_commands(setup: Setup, root: Path) -> list[list[str]]:
    """What makes the installed files take effect on the system under `root`."""
    if root != Path("/"):
        return [
            ["systemd-sysusers", f"--root={root}"],
            ["systemctl", f"--root={root}", "enable", f"{setup.name}.service"],
        ]
    return [
        ["systemd-sysusers"],
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", f"{setup.name}.service"],
    ]


def systemd_running() -> bool:
    """Whether systemd is PID 1 (the check sd_booted(3) makes)."""
    return Path("/run/systemd/system").is_dir()


# --- Windows: Task Scheduler ---------------------------------------------------------------

WINDOWS_DIR = PureWindowsPath(r"C:\ProgramData\motcua")


def windows_files(setup: Setup, directory: PureWindowsPath = WINDOWS_DIR) -> list[File]:
    script = directory / f"{setup.name}.ps1"
    files = [
        File(directory / f"{setup.name}.xml", task_xml(setup, script), encoding="utf-16"),
        File(script, wrapper(setup)),
    ]
    if setup.secrets:
        lines = [f"{name}={value}" for name, value in setup.secrets.items()]
        files.append(File(directory / f"{setup.part}.env", "\n".join(lines) + "\n", 0o600))
    return files


def _ps_quote(arg: str) -> str:
    return "'" + arg.replace("'", "''") + "'"


def wrapper(setup: Setup) -> str:
    """A PowerShell loop: Task Scheduler restarts a failed task after 1 minute at the
    soonest, so the loop itself restarts the app within a second when it exits, and kills
    it when its heartbeat file is older than WATCHDOG_S seconds (a frozen GUI thread)."""
    args = ", ".join(_ps_quote(a) for a in (*COMMANDS[setup.part], *setup.args))
    return f"""\
# Written by `motcua autostart {setup.part}`: runs the part, again and again.
$ErrorActionPreference = 'Continue'
$envFile = Join-Path $PSScriptRoot '{setup.part}.env'
if (Test-Path $envFile) {{
    foreach ($line in Get-Content $envFile) {{
        $name, $value = $line -split '=', 2
        if ($value) {{ Set-Item -Path "Env:$name" -Value $value }}
    }}
}}
$beat = Join-Path $env:LOCALAPPDATA '{setup.name}.beat'
$env:MOTCUA_HEARTBEAT = $beat
$motcua = {_ps_quote(setup.motcua)}
$arguments = @({args})
while ($true) {{
    Remove-Item $beat -ErrorAction SilentlyContinue
    $process = Start-Process -FilePath $motcua -ArgumentList $arguments -PassThru -NoNewWindow
    $started = Get-Date
    while (-not $process.HasExited) {{
        Start-Sleep -Milliseconds 500
        $last = $started.AddSeconds(60)  # until its first beat: loading Qt may take a while
        if (Test-Path $beat) {{ $last = (Get-Item $beat).LastWriteTime }}
        if (((Get-Date) - $last).TotalSeconds -gt {WATCHDOG_S}) {{
            Write-Warning "{setup.name}: no heartbeat for {WATCHDOG_S} s, restarting"
            Stop-Process -Id $process.Id -Force
        }}
    }}
    Write-Warning "{setup.name} ended (code $($process.ExitCode)); starting again"
    Start-Sleep -Seconds {RESTART_S}
}}
"""


def task_xml(setup: Setup, script: PureWindowsPath) -> str:
    """A Task Scheduler task at logon (the apps need the user's desktop). Its own restart
    on failure waits 1 minute at the soonest (PT1M is the least Task Scheduler accepts):
    it only guards the wrapper loop, which restarts the app itself within a second."""
    action = escape(f'-NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -File "{script}"')
    return f"""\
<?xml version="1.0" encoding="UTF-16"?>
<!-- Written by `motcua autostart {setup.part}`. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>motcua {setup.part}: started at logon, restarted within seconds.</Description>
    <URI>\\{setup.name}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>4</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>powershell.exe</Command>
      <Arguments>{action}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


# --- both ----------------------------------------------------------------------------------


def _flag_value(args: Sequence[str], flag: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def render(files: Sequence[File]) -> str:
    """The files as one text to read: each under a comment naming its path and mode."""
    parts = [f"# ---- {file.path} (mode {file.mode:o})\n{file.text}" for file in files]
    return "\n".join(parts)


def write(files: Sequence[File], root: Path | None) -> list[Path]:
    """Write each file under `root` (None: at its own path) with its mode, replacing any
    earlier version whole."""
    written = []
    for file in files:
        if root is None:
            target = Path(file.path)
        else:
            relative = str(file.path).replace("\\", "/").split(":", 1)[-1].lstrip("/")
            target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(target.name + ".tmp")
        # Created with its final mode, so a secret is never readable, even for a moment.
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, file.mode)
        with os.fdopen(descriptor, "w", encoding=file.encoding, newline="\n") as out:
            out.write(file.text)
        os.chmod(scratch, file.mode)
        os.replace(scratch, target)
        written.append(target)
    return written
