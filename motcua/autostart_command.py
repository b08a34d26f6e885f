"""`motcua autostart`: checks the part's flags, then prints or installs what
`motcua.autostart` renders."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import click

from motcua import autostart as plan
from motcua.autostart import AutostartError, Setup


def default_program(target: str) -> str:
    """This installation's `motcua`: beside the running Python (a venv's bin/ or Scripts\\),
    else the one on PATH."""
    if target == "windows" and sys.platform != "win32":
        return r"C:\motcua\Scripts\motcua.exe"
    name = "motcua.exe" if sys.platform == "win32" else "motcua"
    beside = Path(sys.executable).with_name(name)  # not resolved: a venv's python is a link
    if beside.exists():
        return str(beside.absolute())
    found = shutil.which("motcua")
    return str(Path(found).absolute()) if found else str(Path(sys.argv[0]).absolute())


def _check_flags(ctx: click.Context, setup: Setup) -> None:
    """Parse the flags with the part's own command, so a typo fails now, not at boot."""
    group = ctx.parent.command if ctx.parent else None
    name, *fixed = plan.COMMANDS[setup.part]
    command = group.get_command(ctx, name) if isinstance(group, click.Group) else None
    if command is None:
        raise click.ClickException(f"this installation has no `motcua {name}`")
    words = [*fixed, *setup.args]
    for flag, variable in plan.SECRETS.items():
        if variable in setup.secrets:
            words += [flag, setup.secrets[variable]]
    try:
        command.make_context(f"motcua {name}", words, parent=ctx.parent)
    except click.exceptions.Exit as exc:  # --help and friends
        raise click.UsageError("--help has no place in a part started at boot") from exc
    except click.ClickException as exc:
        raise click.UsageError(f"{setup.part}: {exc.format_message()}", ctx) from exc
    if setup.part == "rating" and plan._flag_value(setup.args, "--counter") is None:
        raise click.UsageError("rating needs --counter N (the counter it sits on)", ctx)


def run_autostart(
    ctx: click.Context,
    part: str,
    part_args: tuple[str, ...],
    install: bool,
    root: Path | None,
    target: str,
    program: str | None,
    vt: int,
) -> None:
    try:
        plan.check_args(part, part_args)
        args, secrets = plan.split_secrets(part_args)
        args = plan.with_defaults(part, args)
    except AutostartError as exc:
        raise click.UsageError(str(exc), ctx) from exc
    device = part in ("kiosk", "display", "rating")
    if part in ("kiosk", "rating") and os.environ.get("MOTCUA_ADMIN_PIN"):
        secrets.setdefault("MOTCUA_ADMIN_PIN", os.environ["MOTCUA_ADMIN_PIN"])
    if device and "MOTCUA_TOKEN" not in secrets:
        if os.environ.get("MOTCUA_TOKEN"):
            secrets["MOTCUA_TOKEN"] = os.environ["MOTCUA_TOKEN"]
        elif install:
            raise click.UsageError(
                "the device token: give --token TOKEN or set MOTCUA_TOKEN "
                f"(`motcua device add NAME --kind {'kiosk' if part == 'rating' else part}` "
                "prints one)",
                ctx,
            )
    if not install:  # a printout never shows a secret
        secrets = dict.fromkeys(secrets, plan.PLACEHOLDER)
        if device:
            secrets.setdefault("MOTCUA_TOKEN", plan.PLACEHOLDER)
    setup = Setup(part, args, secrets, program or default_program(target), vt)
    _check_flags(ctx, setup)
    try:
        files = plan.windows_files(setup) if target == "windows" else plan.linux_files(setup)
    except AutostartError as exc:
        raise click.UsageError(str(exc), ctx) from exc
    if not install:
        click.echo(plan.render(files), nl=False)
        return
    if target == "windows":
        _install_windows(setup, files, root)
    else:
        _install_linux(setup, files, root or Path("/"))


def _install_linux(setup: Setup, files: list[plan.File], root: Path) -> None:
    try:
        for path in plan.write(files, root):
            click.echo(f"wrote {path}")
    except PermissionError as exc:
        raise click.ClickException(f"{exc.filename}: permission denied (run as root)") from exc
    commands = plan.linux_commands(setup, root)
    if root == Path("/") and plan.systemd_running():
        for command in commands:
            click.echo("$ " + shlex.join(command))
            if subprocess.run(command, check=False).returncode != 0:
                raise click.ClickException(f"`{shlex.join(command)}` failed")
        click.echo(f"{setup.name} is enabled and running: `journalctl -u {setup.name} -f`")
    else:
        click.echo("systemd is not running here; to enable it, run:")
        for command in commands:
            click.echo("  " + shlex.join(command))


def _install_windows(setup: Setup, files: list[plan.File], root: Path | None) -> None:
    for path in plan.write(files, root):
        click.echo(f"wrote {path}")
    task = PureWindowsPath(files[0].path)
    command = ["schtasks", "/Create", "/TN", setup.name, "/XML", str(task), "/F"]
    if sys.platform == "win32" and root is None:
        if subprocess.run(command, check=False).returncode != 0:
            raise click.ClickException(f"`{' '.join(command)}` failed")
        click.echo(f"{setup.name} starts at the next logon (or `schtasks /Run /TN {setup.name}`)")
    else:
        click.echo("then, on the Windows PC: " + " ".join(command))
