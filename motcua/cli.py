"""The `motcua` command line: serve, administer users and devices, demo, and start each
part. Every command imports the part it runs inside its function, so `motcua kiosk`
never loads FastAPI and `motcua serve` never loads Qt."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from motcua.autostart import PARTS as AUTOSTART_PARTS
from motcua.bilingual_help import HELP_OPTION_HELP, BilingualContext, make_bilingual
from queue_server.roles import DEVICE_KINDS, USER_ROLES, Role

if TYPE_CHECKING:
    from queue_server.settings import Settings
    from queue_server.store import Device, Store

# The heavy modules (pydantic models, sqlite-utils, argon2) load inside the commands that
# need them, so `motcua printer status` answers well within its 5 seconds.

DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MOTCUA_DATA_DIR",
    required=True,
    help="Thư mục chứa cơ sở dữ liệu (tạo mới nếu trống). / Where the database lives "
    "(created when empty).",
)

HOST_HELP = "Địa chỉ lắng nghe. / The address to listen on."
PORT_HELP = "Cổng lắng nghe (0: cổng trống bất kỳ). / The port to listen on (0: any free port)."
READING_HELP = (
    "Đọc số thành lời (words) hoặc từng chữ số (digits). / Read the number as words or "
    "digit by digit."
)


class DataDirBusy(click.ClickException):
    """Another server holds the data directory: exit 2 (docs/operations.md)."""

    exit_code = 2


def _store(data_dir: Path, site_file: Path | None = None) -> Store:
    """The data directory's store, or a one-line message and a non-zero exit."""
    from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
    from queue_server.database import open_store
    from queue_server.store import DatabaseUnusable

    try:
        # The command's first opening: it may read the file's header (see open_store).
        return open_store(data_dir, site_file, check_file=True)
    except (InvalidSiteConfig, SiteChangeRefused) as exc:
        raise click.ClickException(exc.message) from exc
    except DatabaseUnusable as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # e.g. a site file named in MOTCUA_SITE that is not there
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc


def _settings(env_file: Path | None, **flags: object) -> Settings:
    """The server's settings, or one line naming what is wrong and where it can be set."""
    from pydantic import ValidationError

    from queue_server.settings import Settings

    try:
        return Settings.load(env_file, **flags)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            where = f"--{name.replace('_', '-')} / MOTCUA_{name.upper()}"
            if name in ("site_file", "MOTCUA_SITE"):
                where = "--site / MOTCUA_SITE"
            if name == "hub_url":
                where = "--hub / MOTCUA_HUB_URL"
            if name == "hub_token":
                where = "--hub-token-file / MOTCUA_HUB_TOKEN"
            problems.append(f"{where}: {error['msg']}")
        raise click.ClickException("; ".join(problems)) from None


def _kiosk() -> click.Command:
    from kiosk.cli import command

    return command


def _counter() -> click.Command:
    from counter_client.cli import command

    return command


def _display() -> click.Command:
    from display_board.cli import command

    return command


def _printer() -> click.Command:
    from printer_drivers.cli import printer

    return printer


def _hub() -> click.Command:
    from motcua.hub_command import hub

    return hub


class LazyGroup(click.Group):
    """Loads the apps' and the printer's commands only when they are run, so `serve`
    and the admin commands start without importing Qt. Plain imports inside functions,
    not module names in strings, so the import rules in `scripts/check` see them."""

    context_class = BilingualContext

    lazy: ClassVar[dict[str, Callable[[], click.Command]]] = {
        "kiosk": _kiosk,
        "counter": _counter,
        "display": _display,
        "printer": _printer,
        "hub": _hub,
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            command = self.lazy[name]()
        else:
            found = super().get_command(ctx, name)
            if found is None:
                return None
            command = found
        make_bilingual(command, ctx)
        return command

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option


def _now() -> datetime:
    from queue_core.clock import SystemClock

    return SystemClock().now()


@click.group(
    cls=LazyGroup,
    help="motcua — hệ thống xếp hàng lấy số cho Bộ phận Một cửa. / Queue ticketing for "
    "one-stop public administration centres.",
)
@click.version_option(
    package_name="motcua", help="In phiên bản rồi thoát. / Show the version and exit."
)
def main() -> None:
    pass


# serve's settings come from pydantic-settings (flags > environment > --env-file > defaults,
# docs/configuration.md): a flag not given is None here, never a click default.
@main.command(help="Chạy máy chủ xếp hàng. / Run the queue server.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Nơi lưu cơ sở dữ liệu (tạo mới khi trống). / Where the database lives (created when "
    "empty).",
)
@click.option("--host", help=HOST_HELP + " [mặc định / default: 127.0.0.1]")
@click.option(
    "--port", type=click.IntRange(0, 65535), help=PORT_HELP + " [mặc định / default: 8000]"
)
@click.option(
    "--site",
    "site_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Tệp TOML mô tả trung tâm cho cơ sở dữ liệu mới (mặc định: trung tâm mẫu). / Site "
    "TOML for a new database (default: the bundled sample).",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Tệp thiết lập dạng dòng MOTCUA_TÊN=giá-trị, sau cờ và biến môi trường. / Settings as "
    "MOTCUA_NAME=value lines, below the flags and the environment.",
)
@click.option(
    "--log-level",
    default="warning",
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Mức ghi nhật ký. / Log level.",
)
@click.option(
    "--hub",
    "hub_url",
    help="Địa chỉ máy chủ tỉnh nhận nhật ký sự kiện của trung tâm (docs/province.md). / The "
    "province hub this centre ships its event log to.",
)
@click.option(
    "--hub-token",
    help="Mã của trung tâm trên máy chủ tỉnh; nên dùng --hub-token-file hoặc MOTCUA_HUB_TOKEN. "
    "/ The centre's hub token; prefer --hub-token-file or MOTCUA_HUB_TOKEN.",
)
@click.option(
    "--hub-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp chứa mã của trung tâm trên máy chủ tỉnh (chmod 600). / A file holding the "
    "centre's hub token (chmod 600).",
)
@click.option(
    "--hub-template",
    help="Theo mẫu cấu hình TÊN của máy chủ tỉnh: áp dụng mỗi phiên bản mới, giữ tên và quầy "
    "của trung tâm. / Follow the hub's site template NAME, keeping this centre's name and "
    "counters.",
)
def serve(
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    site_file: Path | None,
    env_file: Path | None,
    log_level: str,
    hub_url: str | None,
    hub_token: str | None,
    hub_token_file: Path | None,
    hub_template: str | None,
) -> None:
    from queue_server.app import create_app
    from queue_server.serve import run

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from queue_server.database import DataDirInUse, lock_data_dir

    settings = _settings(
        env_file,
        data_dir=data_dir,
        host=host,
        port=port,
        site_file=site_file,
        hub_url=hub_url,
        hub_token=_hub_token(hub_token, hub_token_file),
        hub_template=hub_template,
    )
    try:
        lock = lock_data_dir(settings.data_dir)
    except DataDirInUse as exc:
        raise DataDirBusy(str(exc)) from exc
    except OSError as exc:  # not a directory, no permission to create it…
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc
    # A bad site file or a damaged database fails here, in one line, not in a traceback.
    _store(settings.data_dir, settings.site_file).close()
    try:
        run(create_app(settings), settings.host, settings.port, log_level)
    finally:
        lock.close()


def _hub_token(token: str | None, token_file: Path | None) -> str | None:
    """The hub token from `--hub-token-file` (read as the apps read theirs) or `--hub-token`
    (with the apps' warning); None leaves it to MOTCUA_HUB_TOKEN and the settings file."""
    if token_file is not None:
        from queue_client.token_file import TokenFileError, read_token_file

        try:
            return read_token_file(token_file)
        except TokenFileError as exc:
            raise click.UsageError(str(exc)) from exc
    if token is not None:
        click.echo(
            "cảnh báo: --hub-token hiện với mọi tài khoản trên máy (danh sách tiến trình); hãy "
            "dùng --hub-token-file hoặc MOTCUA_HUB_TOKEN / warning: --hub-token is visible to "
            "every local account (the process list); use --hub-token-file or MOTCUA_HUB_TOKEN",
            err=True,
        )
    return token


# --- users --------------------------------------------------------------------------------


@main.group(help="Tài khoản cán bộ. / Staff accounts.")
def user() -> None:
    pass


@user.command(
    "add",
    help="Thêm tài khoản; mật khẩu đọc từ đầu vào chuẩn (một dòng). / Add a user; the "
    "password is read from standard input (one line).",
)
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in USER_ROLES]),
    required=True,
    help="Vai trò. / Role.",
)
@click.option(
    "--name",
    "display_name",
    help="Họ tên hiển thị tại quầy, ví dụ 'Nguyễn Thị Lan'. / Full name shown at the counter.",
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


@user.command("list", help="Liệt kê tài khoản. / List users.")
@DATA_DIR
def user_list(data_dir: Path) -> None:
    store = _store(data_dir)
    for row in store.users():
        state = "disabled" if row.disabled else "active"
        click.echo(f"{row.username}\t{row.role}\t{state}\t{row.display_name}")
    store.close()


def _set_disabled(data_dir: Path, username: str, disabled: bool) -> None:
    store = _store(data_dir)
    try:
        with store.transaction():
            if not store.set_user_disabled(username, disabled):
                raise click.ClickException(f"no user '{username}'")
            if disabled:
                store.revoke_tokens("user", username, _now())
    finally:
        store.close()


@user.command(
    "disable",
    help="Khóa tài khoản và kết thúc các phiên đăng nhập. / Disable a user and end their sessions.",
)
@click.argument("username")
@DATA_DIR
def user_disable(username: str, data_dir: Path) -> None:
    _set_disabled(data_dir, username, True)
    click.echo(f"disabled {username}")


@user.command("enable", help="Mở lại tài khoản đã khóa. / Enable a disabled user again.")
@click.argument("username")
@DATA_DIR
def user_enable(username: str, data_dir: Path) -> None:
    _set_disabled(data_dir, username, False)
    click.echo(f"enabled {username}")


# --- devices ------------------------------------------------------------------------------


@main.group(
    help="Thiết bị: máy lấy số, màn hình gọi số, bàn phím quầy, máy đánh giá. / Kiosks, "
    "display boards, counter keypads and rating tablets."
)
def device() -> None:
    pass


@device.command(
    "add",
    help="Đăng ký thiết bị; mã truy cập của nó là dòng cuối được in ra. / Register a device; "
    "its token is the last line printed.",
)
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DEVICE_KINDS]),
    required=True,
    help="Loại thiết bị. / Device kind.",
)
@click.option(
    "--counter",
    type=click.IntRange(1, 999),
    default=None,
    help="Quầy mà bàn phím quầy hoặc bảng đánh giá gắn với (không thao tác ở quầy khác). / "
    "The counter a counter keypad or rating tablet works at (it may act nowhere else).",
)
@DATA_DIR
def device_add(name: str, kind: str, counter: int | None, data_dir: Path) -> None:
    from queue_core.errors import UnknownCounter
    from queue_server.auth import BINDABLE, add_device
    from queue_server.store import Conflict

    if counter is not None and Role(kind) not in BINDABLE:
        raise click.UsageError(f"--counter is for a counter or rating device, not a {kind}")
    store = _store(data_dir)
    try:
        with store.transaction():
            if counter is not None:
                store.counter(counter)  # UnknownCounter: the site has no such counter
            device_id, token = add_device(store, name, Role(kind), _now(), counter)
    except Conflict:
        raise click.ClickException(f"a device named '{name}' already exists") from None
    except UnknownCounter:
        raise click.ClickException(f"the site has no counter {counter}") from None
    finally:
        store.close()
    at = f" at counter {counter}" if counter is not None else ""
    click.echo(f"added {kind} device {device_id} '{name}'{at}; its token (shown only now):")
    if counter is None and Role(kind) in BINDABLE:
        click.echo(
            "warning: not bound to a counter, it may act at every counter (--counter N)",
            err=True,
        )
    click.echo(token)


@device.command("list", help="Liệt kê thiết bị. / List devices.")
@DATA_DIR
def device_list(data_dir: Path) -> None:
    store = _store(data_dir)
    from queue_server.auth import BINDABLE

    for row in store.devices():
        state = "revoked" if row.revoked_at else "active"
        seen = row.last_seen_at.isoformat() if row.last_seen_at else "never seen"
        printer = row.printer or "-"
        if row.counter is not None:
            bound = f"\tcounter {row.counter}"
        elif Role(row.kind) in BINDABLE:
            # Registered before binding existed: it still works everywhere (see
            # docs/authorization.md); replace it with a bound one.
            bound = "\tunbound: works at every counter (warning)"
        else:
            bound = ""
        click.echo(f"{row.id}\t{row.kind}\t{state}\t{row.name}\t{seen}\tprinter: {printer}" + bound)
    store.close()


def _find_device(store: Store, device: str) -> Device:
    """A device by its name, or else by its id."""
    # isascii(): "²".isdigit() is true, but int("²") fails.
    row = store.device_by_name(device) or (
        store.device(int(device)) if device.isascii() and device.isdigit() else None
    )
    if row is None:
        raise click.ClickException(f"no device '{device}'")
    return row


@device.command(
    "revoke",
    help="Thu hồi mã truy cập của thiết bị (theo số hoặc tên). / Revoke a device's token "
    "(by id or name).",
)
@click.argument("device")
@DATA_DIR
def device_revoke(device: str, data_dir: Path) -> None:
    from queue_server.auth import revoke_device

    store = _store(data_dir)
    try:
        with store.transaction():
            row = _find_device(store, device)
            revoke_device(store, row.id, _now())
    finally:
        store.close()
    click.echo(f"revoked device {row.id} '{row.name}'")


@device.command(
    "rotate",
    help="Cấp mã truy cập mới cho thiết bị (theo số hoặc tên), ví dụ khi mất mã; mã cũ hết "
    "hiệu lực ngay. Mã mới là dòng cuối được in ra. / Give a device a new token (by id or "
    "name), e.g. when its token is lost; the old one stops working at once. The new token is "
    "the last line printed.",
)
@click.argument("device")
@DATA_DIR
def device_rotate(device: str, data_dir: Path) -> None:
    from queue_server.auth import rotate_device_token

    store = _store(data_dir)
    try:
        with store.transaction():
            row = _find_device(store, device)
            token = rotate_device_token(store, row.id, _now())
    finally:
        store.close()
    again = " (no longer revoked)" if row.revoked_at else ""
    click.echo(f"new token for {row.kind} device {row.id} '{row.name}'{again}:")
    click.echo(token)


# --- the site -----------------------------------------------------------------------------


@main.group(
    help="Cấu hình trung tâm: lĩnh vực, quầy, giờ cấp số, ngày nghỉ. / The site: services, "
    "counters, issuing hours, holidays."
)
def site() -> None:
    pass


@site.command(
    "export",
    help="In cấu hình đang lưu dưới dạng TOML; `site apply` nhận lại y nguyên. / Print the "
    "stored site as TOML, which `site apply` takes back with no change.",
)
@DATA_DIR
def site_export(data_dir: Path) -> None:
    from motcua.site_command import run_export

    run_export(data_dir, _now())


@site.command(
    "apply",
    help="Áp dụng tệp cấu hình FILE (khi máy chủ đã dừng): in mỗi thay đổi một dòng; tệp "
    "không hợp lệ, hoặc thay đổi làm mồ côi số đang chờ hay cấp lại số đã cấp hôm nay, bị từ "
    "chối và không có gì thay đổi. / Apply the site file FILE (server stopped): one line per "
    "change; an invalid file, or a change that would orphan a waiting ticket or reuse a "
    "number issued today, is refused and nothing changes.",
)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DATA_DIR
@click.option(
    "--dry-run",
    is_flag=True,
    help="Chỉ in những gì sẽ thay đổi (hoặc lý do từ chối), không áp dụng; chạy được cả khi "
    "máy chủ đang chạy. / Only print what would change (or why it is refused), applying "
    "nothing; works while the server runs too.",
)
def site_apply(file: Path, data_dir: Path, dry_run: bool) -> None:
    from motcua.site_command import run_apply

    run_apply(file, data_dir, _now(), dry_run=dry_run)


# --- backup -------------------------------------------------------------------------------


@main.command(
    help="Sao lưu cơ sở dữ liệu vào FILE, kể cả khi máy chủ đang chạy (bản sao nhất quán). / "
    "Back the database up to FILE, also while the server runs (a consistent copy).",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@DATA_DIR
def backup(file: Path, data_dir: Path) -> None:
    from queue_server.store import StoreError
    from queue_server.store import backup as make_backup

    try:
        size = make_backup(data_dir, file)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Đã sao lưu vào {file} ({size} byte) / Backed up to {file} ({size} bytes)")


@main.command(
    help="Khôi phục cơ sở dữ liệu từ bản sao lưu FILE (máy chủ phải dừng); cơ sở dữ liệu bị "
    "thay được giữ lại bên cạnh, không bị xóa. / Restore the database from the backup FILE "
    "(server stopped); the database replaced is kept beside it, never deleted.",
)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DATA_DIR
def restore(file: Path, data_dir: Path) -> None:
    from queue_server.database import DataDirInUse, lock_data_dir
    from queue_server.store import StoreError
    from queue_server.store import restore as put_back

    try:
        lock = lock_data_dir(data_dir)
    except DataDirInUse as exc:
        raise DataDirBusy(
            f"{exc} Hãy dừng máy chủ trước khi khôi phục. / Stop the server before restoring."
        ) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc
    try:
        aside = put_back(data_dir, file, _now())
        _store(data_dir).close()  # a backup from an older version is migrated now
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        lock.close()
    click.echo(f"Đã khôi phục từ {file} / Restored from {file}")
    if aside is not None:
        click.echo(
            f"Cơ sở dữ liệu cũ được giữ tại {aside} / The database replaced is kept at {aside}"
        )


# --- voice --------------------------------------------------------------------------------


@main.group(
    help="Câu màn hình gọi số đọc lên khi gọi. / What the display boards say when they "
    "call a number."
)
def voice() -> None:
    pass


@voice.command(
    "text",
    help="In câu gọi số NUMBER đến quầy COUNTER. / Print the sentence announced for NUMBER "
    "at COUNTER.",
)
@click.argument("number")
@click.argument("counter", type=click.IntRange(1, 999))
@click.option(
    "--reading",
    type=click.Choice(["words", "digits"]),
    default="words",
    show_default=True,
    help=READING_HELP,
)
def voice_text(number: str, counter: int, reading: str) -> None:
    from queue_core.spoken import call_sentence
    from queue_server.database import read_site

    phrase = read_site(None).site.call_phrase
    try:
        click.echo(call_sentence(number, counter, phrase, reading))  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@voice.command(
    "wav",
    help="Ghi âm thanh gọi số NUMBER đến quầy COUNTER vào OUT (chuông, rồi đọc hai lần). / "
    "Write the announcement for NUMBER at COUNTER (chime, then twice).",
)
@click.argument("number")
@click.argument("counter", type=click.IntRange(1, 999))
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--reading",
    type=click.Choice(["words", "digits"]),
    default="words",
    show_default=True,
    help=READING_HELP,
)
@click.option(
    "--clips",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Thư mục các đoạn ghi âm để ghép câu (xem docs/display.md). / A folder of recorded "
    "clips to assemble the sentence from (see docs/display.md).",
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


@main.command(
    help="Chạy trung tâm trình diễn: máy chủ, công dân và cán bộ mô phỏng. / Run a "
    "demonstration hall: the server, simulated citizens and clerks."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".demo"),
    show_default=True,
    help="Thư mục dữ liệu của bản trình diễn. / The demo's data directory.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help=HOST_HELP)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help=PORT_HELP
)
@click.option(
    "--duration",
    type=float,
    default=None,
    help="Dừng sau số giây này (mặc định: chạy đến khi nhấn Ctrl-C). / Stop after this many "
    "seconds (default: run until Ctrl-C).",
)
@click.option(
    "--pace",
    type=float,
    default=1.0,
    show_default=True,
    help="Số sự kiện mô phỏng mỗi giây. / Simulated events per second.",
)
@click.option(
    "--apps/--no-apps",
    default=None,
    help="Mở các ứng dụng lấy số, quầy và màn hình (mặc định: khi có màn hình). / Start the "
    "kiosk, counter and display apps (default: when a screen exists).",
)
def demo(
    data_dir: Path, host: str, port: int, duration: float | None, pace: float, apps: bool | None
) -> None:
    from motcua.demo import run_demo

    run_demo(data_dir, host, port, duration, pace, apps)


@main.command(
    help="Ghi vào cơ sở dữ liệu (chưa có máy chủ nào dùng) N ngày làm việc đã qua, kết thúc "
    "hôm qua, với lượt công dân như thật: cao điểm buổi sáng và đầu giờ chiều, ưu tiên, vắng "
    "mặt, chuyển lĩnh vực, đánh giá. Dùng cho trình diễn, đào tạo, báo cáo và đo hiệu năng. / "
    "Fill a database no server is using with the past N days, ending yesterday (weekends "
    "skipped), of realistic traffic: morning and early-afternoon peaks, priority tickets, "
    "no-shows, transfers, ratings. For demos, training, reports and benchmarks."
)
@DATA_DIR
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    required=True,
    help="Số ngày đã qua (tính cả cuối tuần, không ghi cuối tuần). / Past days to cover "
    "(weekends count but are left empty).",
)
@click.option(
    "--per-day",
    type=click.IntRange(0, 20000),
    required=True,
    help="Số phiếu khoảng chừng mỗi ngày. / About this many tickets a day.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Cùng hạt giống, cùng dữ liệu. / The same seed gives the same days.",
)
@click.option(
    "--site",
    "site_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Tệp TOML mô tả trung tâm khi thư mục chưa có cơ sở dữ liệu (mặc định: trung tâm "
    "mẫu). / Site TOML for a new database (default: the bundled sample).",
)
def simulate(data_dir: Path, days: int, per_day: int, seed: int, site_file: Path | None) -> None:
    import time

    from queue_server.database import DataDirInUse, lock_data_dir
    from queue_server.simulate import fill_past_days

    try:
        lock = lock_data_dir(data_dir)  # no server may start on it while days are written
    except DataDirInUse as exc:
        raise DataDirBusy(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc
    started = time.monotonic()
    try:
        store = _store(data_dir, site_file)
        try:
            worked, tickets, events = fill_past_days(store, _now(), days, per_day, seed)
        finally:
            store.close()
    finally:
        lock.close()
    took = time.monotonic() - started
    click.echo(
        f"{worked} ngày làm việc, {tickets} phiếu, {events} sự kiện trong {took:.1f} s / "
        f"{worked} working days, {tickets} tickets, {events} events in {took:.1f} s"
    )


# --- start at boot -----------------------------------------------------------------------


@main.command(
    context_settings={"ignore_unknown_options": True},
    help="Khởi động PART khi bật máy, toàn màn hình, và chạy lại trong vòng 5 giây nếu nó dừng "
    "hoặc treo: in ra (--print) hoặc cài đặt (--install) unit systemd (Linux) hay tác vụ hẹn "
    "giờ (Windows). Các tùy chọn của PART theo sau nó; mã thiết bị lấy từ --token hoặc "
    "MOTCUA_TOKEN và không nằm trong unit. / Start PART at boot, full screen, and again within "
    "5 s if it dies or freezes: print (--print) or install (--install) its systemd unit (Linux) "
    "or scheduled task (Windows). PART's own flags follow it, e.g. "
    "`motcua autostart kiosk --server http://10.0.0.2:8000 --printer usb://04b8:0202 "
    "--install`; the device token comes from --token or MOTCUA_TOKEN and is kept out of "
    "the unit.",
)
@click.argument("part", type=click.Choice(AUTOSTART_PARTS))
@click.argument("part_args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--print",
    "show",
    is_flag=True,
    help="In các tệp (bí mật thay bằng chỗ trống). / Print the files (secrets as placeholders).",
)
@click.option(
    "--install",
    is_flag=True,
    help="Ghi các tệp và bật unit hoặc tác vụ. / Write the files and enable the unit or task.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cài vào thư mục này (một ảnh hệ thống đang dựng) thay vì /. / Install under this "
    "directory (an image being built) instead of /.",
)
@click.option(
    "--platform",
    "target",
    type=click.Choice(["linux", "windows"]),
    default="windows" if sys.platform == "win32" else "linux",
    show_default="hệ thống này / this system",
    help="Hệ điều hành đích. / The target system.",
)
@click.option(
    "--motcua",
    "program",
    help="Chương trình motcua sẽ chạy (mặc định: chương trình này). / The motcua program to "
    "run (default: this one).",
)
@click.option(
    "--vt",
    type=click.IntRange(1, 12),
    default=1,
    show_default=True,
    help="Màn hình ảo của ứng dụng (X display :VT-1). / An app's virtual terminal (X display "
    ":VT-1).",
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
    from motcua.autostart_command import run_autostart

    if show == install:
        raise click.UsageError("give exactly one of --print and --install")
    run_autostart(ctx, part, part_args, install, root, target, program, vt)


if __name__ == "__main__":  # pragma: no cover
    main()
