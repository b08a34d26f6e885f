"""The `motcua` command line: serve, administer users and devices, demo."""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from queue_server.autostart import PARTS as AUTOSTART_PARTS
from queue_server.roles import DEVICE_KINDS, USER_ROLES, Role

if TYPE_CHECKING:
    from queue_server.store import Store

# The heavy modules (pydantic models, sqlite-utils, argon2) load inside the commands that
# need them, so `motcua printer status` answers well within its 5 seconds.

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MOTCUA_DATA_DIR",
    required=True,
    help="Where the database lives (created when empty).",
)


def _store(data_dir: Path, site_file: Path | None = None) -> Store:
    from queue_core.errors import InvalidSiteConfig
    from queue_server.database import open_store

    try:
        return open_store(data_dir, site_file)
    except InvalidSiteConfig as exc:
        raise click.ClickException(exc.message) from exc


class LazyGroup(click.Group):
    """Loads the apps' and the printer's commands only when they are run, so `serve`
    and the admin commands start without importing Qt."""

    lazy: ClassVar[dict[str, str]] = {
        "kiosk": "kiosk.cli:command",
        "counter": "counter_client.cli:command",
        "display": "display_board.cli:command",
        "printer": "printer_drivers.cli:printer",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, attribute = self.lazy[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                return None  # that part is not built yet
            command: click.Command = getattr(module, attribute)
            return command
        return super().get_command(ctx, name)


def _now() -> datetime:
    from queue_core.clock import SystemClock

    return SystemClock().now()


@click.group(cls=LazyGroup, help="motcua — hệ thống xếp hàng lấy số cho Bộ phận Một cửa.")
@click.version_option(package_name="motcua")
def main() -> None:
    pass


@main.command(help="Run the queue server.")
@DATA_DIR
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--site",
    "site_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Site TOML for a new database (default: the bundled sample).",
)
@click.option(
    "--log-level", default="warning", type=click.Choice(["debug", "info", "warning", "error"])
)
def serve(data_dir: Path, host: str, port: int, site_file: Path | None, log_level: str) -> None:
    from queue_server.app import create_app
    from queue_server.serve import run

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from queue_server.settings import Settings

    settings = Settings.from_env(data_dir=data_dir, host=host, port=port, site_file=site_file)
    # A bad site file fails here, with its key paths, not in a traceback.
    _store(data_dir, settings.site_file).close()
    run(create_app(settings), host, port, log_level)


# --- users --------------------------------------------------------------------------------


@main.group(help="Staff accounts (cán bộ).")
def user() -> None:
    pass


@user.command("add", help="Add a user; the password is read from standard input (one line).")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in USER_ROLES]), required=True)
@click.option(
    "--name", "display_name", help="Full name shown at the counter, e.g. 'Nguyễn Thị Lan'."
)
@DATA_DIR
def user_add(username: str, role: str, display_name: str | None, data_dir: Path) -> None:
    from queue_server.auth import add_user
    from queue_server.store import Conflict

    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 6:
        raise click.ClickException(
            "the password needs at least 6 characters (read from standard input)"
        )
    store = _store(data_dir)
    try:
        with store.transaction():
            add_user(store, username, password, Role(role), display_name, _now())
    except Conflict:
        raise click.ClickException(f"user '{username}' already exists") from None
    finally:
        store.close()
    click.echo(f"added {role} {username}")


@user.command("list", help="List users.")
@DATA_DIR
def user_list(data_dir: Path) -> None:
    store = _store(data_dir)
    for row in store.users():
        state = "disabled" if row["disabled"] else "active"
        click.echo(f"{row['username']}\t{row['role']}\t{state}\t{row['display_name']}")
    store.close()


def _set_disabled(data_dir: Path, username: str, disabled: bool) -> None:
    store = _store(data_dir)
    try:
        with store.transaction():
            if store.set_user_disabled(username, disabled) == 0:
                raise click.ClickException(f"no user '{username}'")
            if disabled:
                store.revoke_tokens("user", username, _now())
    finally:
        store.close()


@user.command("disable", help="Disable a user and end their sessions.")
@click.argument("username")
@DATA_DIR
def user_disable(username: str, data_dir: Path) -> None:
    _set_disabled(data_dir, username, True)
    click.echo(f"disabled {username}")


@user.command("enable", help="Enable a disabled user again.")
@click.argument("username")
@DATA_DIR
def user_enable(username: str, data_dir: Path) -> None:
    _set_disabled(data_dir, username, False)
    click.echo(f"enabled {username}")


# --- devices ------------------------------------------------------------------------------


@main.group(help="Kiosks, display boards, counter keypads and rating tablets.")
def device() -> None:
    pass


@device.command("add", help="Register a device; its token is the last line printed.")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in DEVICE_KINDS]), required=True)
@DATA_DIR
def device_add(name: str, kind: str, data_dir: Path) -> None:
    from queue_server.auth import add_device
    from queue_server.store import Conflict

    store = _store(data_dir)
    try:
        with store.transaction():
            device_id, token = add_device(store, name, Role(kind), _now())
    except Conflict:
        raise click.ClickException(f"a device named '{name}' already exists") from None
    finally:
        store.close()
    click.echo(f"added {kind} device {device_id} '{name}'; its token (shown only now):")
    click.echo(token)


@device.command("list", help="List devices.")
@DATA_DIR
def device_list(data_dir: Path) -> None:
    store = _store(data_dir)
    for row in store.devices():
        state = "revoked" if row["revoked_at"] else "active"
        seen = row["last_seen_at"] or "never seen"
        printer = row["printer"] or "-"
        click.echo(
            f"{row['id']}\t{row['kind']}\t{state}\t{row['name']}\t{seen}\tprinter: {printer}"
        )
    store.close()


@device.command("revoke", help="Revoke a device's token (by id or name).")
@click.argument("device")
@DATA_DIR
def device_revoke(device: str, data_dir: Path) -> None:
    from queue_server.auth import revoke_device

    store = _store(data_dir)
    try:
        with store.transaction():
            row = store.device_by_name(device) or (
                store.device(int(device)) if device.isdigit() else None
            )
            if row is None:
                raise click.ClickException(f"no device '{device}'")
            revoke_device(store, row["id"], _now())
    finally:
        store.close()
    click.echo(f"revoked device {row['id']} '{row['name']}'")


# --- voice --------------------------------------------------------------------------------


@main.group(help="What the display boards say when they call a number.")
def voice() -> None:
    pass


@voice.command("text", help="Print the sentence announced for NUMBER at COUNTER.")
@click.argument("number")
@click.argument("counter", type=click.IntRange(1, 999))
@click.option(
    "--reading", type=click.Choice(["words", "digits"]), default="words", show_default=True
)
def voice_text(number: str, counter: int, reading: str) -> None:
    from queue_core.spoken import call_sentence
    from queue_server.database import read_site

    phrase = read_site(None).site.call_phrase
    try:
        click.echo(call_sentence(number, counter, phrase, reading))  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@voice.command("wav", help="Write the announcement for NUMBER at COUNTER (chime, then twice).")
@click.argument("number")
@click.argument("counter", type=click.IntRange(1, 999))
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--reading", type=click.Choice(["words", "digits"]), default="words", show_default=True
)
@click.option(
    "--clips",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A folder of recorded clips to assemble the sentence from (see docs/display.md).",
)
def voice_wav(number: str, counter: int, out: Path, reading: str, clips: Path | None) -> None:
    import tempfile

    from queue_core.spoken import call_sentence
    from queue_server.database import read_site
    from queue_server.voice import Voice, VoiceUnavailable, announcement, duration_s

    site = read_site(None)
    try:
        text = call_sentence(number, counter, site.site.call_phrase, reading)  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory() as cache:
            voice = Voice(Path(cache), clips)
            # With --clips a missing word is an error, not a quiet fallback to espeak-ng.
            sentence = voice.from_clips(text) if clips else voice.speak(text)
        audio = announcement(sentence, site.display.repeat)
    except (ValueError, VoiceUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    out.write_bytes(audio)
    click.echo(f"{out}: {duration_s(audio):.1f} s — {text}")


@main.command(help="Run a demonstration hall: the server, simulated citizens and clerks.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".demo"),
    show_default=True,
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--duration",
    type=float,
    default=None,
    help="Stop after this many seconds (default: run until Ctrl-C).",
)
@click.option(
    "--pace", type=float, default=1.0, show_default=True, help="Simulated events per second."
)
@click.option(
    "--apps/--no-apps",
    default=None,
    help="Start the kiosk, counter and display apps (default: when a screen exists).",
)
def demo(
    data_dir: Path, host: str, port: int, duration: float | None, pace: float, apps: bool | None
) -> None:
    from queue_server.demo import run_demo

    run_demo(data_dir, host, port, duration, pace, apps)


# --- start at boot -----------------------------------------------------------------------


@main.command(
    context_settings={"ignore_unknown_options": True},
    help="Start PART at boot, full screen, and again within 5 s if it dies or freezes: "
    "print (--print) or install (--install) its systemd unit (Linux) or scheduled task "
    "(Windows). PART's own flags follow it, e.g. "
    "`motcua autostart kiosk --server http://10.0.0.2:8000 --printer usb://04b8:0202 "
    "--install`; the device token comes from --token or MOTCUA_TOKEN and is kept out of "
    "the unit.",
)
@click.argument("part", type=click.Choice(AUTOSTART_PARTS))
@click.argument("part_args", nargs=-1, type=click.UNPROCESSED)
@click.option("--print", "show", is_flag=True, help="Print the files (secrets as placeholders).")
@click.option("--install", is_flag=True, help="Write the files and enable the unit or task.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Install under this directory (an image being built) instead of /.",
)
@click.option(
    "--platform",
    "target",
    type=click.Choice(["linux", "windows"]),
    default="windows" if sys.platform == "win32" else "linux",
    show_default="this system",
)
@click.option("--motcua", "program", help="The motcua program to run (default: this one).")
@click.option(
    "--vt",
    type=click.IntRange(1, 12),
    default=1,
    show_default=True,
    help="An app's virtual terminal (X display :VT-1).",
)
@click.pass_context
def autostart(
    ctx: click.Context,
    part: str,
    part_args: tuple[str, ...],
    show: bool,
    install: bool,
    root: Path | None,
    target: str,
    program: str | None,
    vt: int,
) -> None:
    from queue_server.autostart_command import run_autostart

    if show == install:
        raise click.UsageError("give exactly one of --print and --install")
    run_autostart(ctx, part, part_args, install, root, target, program, vt)


if __name__ == "__main__":  # pragma: no cover
    main()
