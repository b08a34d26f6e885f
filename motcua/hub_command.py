"""`motcua hub …`: the province hub's commands (serve, centres, staff, site templates).

Loaded only when `motcua hub` runs, and each command imports the hub inside its function,
so no other command loads psycopg.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from queue_hub.store import HubStore

DATABASE = click.option(
    "--database",
    envvar="MOTCUA_HUB_DATABASE",
    required=True,
    metavar="URL",
    help="Cơ sở dữ liệu PostgreSQL của trung tâm tỉnh (postgresql://…). / The hub's PostgreSQL "
    "database (postgresql://…).",
)


def _now() -> datetime:
    from queue_core.clock import SystemClock

    return SystemClock().now()


def _store(url: str) -> HubStore:
    from queue_hub.errors import StoreUnavailable
    from queue_hub.store import connect

    try:
        return connect(url, max_size=1)
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc.message}: {exc.__cause__}") from exc


@click.group(help="Trung tâm tỉnh: số liệu mọi trung tâm một cửa. / The province hub.")
def hub() -> None:
    pass


@hub.command(help="Chạy trung tâm tỉnh. / Run the province hub.")
@DATABASE
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Địa chỉ lắng nghe. / The address to listen on.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8100,
    show_default=True,
    help="Cổng lắng nghe (0: cổng trống bất kỳ). / The port (0: any free port).",
)
@click.option(
    "--log-level",
    default="warning",
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Mức ghi nhật ký. / Log level.",
)
def serve(database: str, host: str, port: int, log_level: str) -> None:
    from queue_hub.errors import StoreUnavailable
    from queue_hub.serve import run
    from queue_hub.settings import HubSettings

    try:
        run(HubSettings(database_url=database, host=host, port=port), log_level)
    except StoreUnavailable as exc:
        raise click.ClickException(f"{exc.message}: {exc.__cause__}") from exc


@hub.group(help="Các trung tâm gửi số liệu lên. / The centres that ship to the hub.")
def centre() -> None:
    pass


@centre.command(
    "add",
    help="Thêm một trung tâm; in mã của nó ở dòng cuối. / Add a centre; prints its hub token "
    "as the last line.",
)
@click.argument("code")
@click.argument("name")
@DATABASE
def centre_add(code: str, name: str, database: str) -> None:
    from queue_hub.auth import hash_token, new_token
    from queue_hub.errors import InvalidInput

    if not code or len(code) > 64 or not code.replace("-", "").replace("_", "").isalnum():
        raise click.BadParameter(
            "chữ, số, '-' hoặc '_' / letters, digits, '-' or '_'", param_hint="CODE"
        )
    store = _store(database)
    try:
        token = new_token()
        store.add_centre(code, name, hash_token(token), _now())
    except InvalidInput as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    click.echo(f"Đã thêm trạm {code} ({name}). Mã để trạm gửi số liệu / its hub token:")
    click.echo(token)


@hub.group(help="Tài khoản cán bộ của tỉnh. / Province staff accounts.")
def user() -> None:
    pass


@user.command(
    "add",
    help="Thêm cán bộ tỉnh; mật khẩu đọc từ đầu vào chuẩn. / Add a province staff account; "
    "the password is read from standard input.",
)
@click.argument("username")
@click.option("--display-name", help="Tên hiển thị. / The name shown.")
@DATABASE
def user_add(username: str, display_name: str | None, database: str) -> None:
    from queue_hub.auth import hash_password
    from queue_hub.errors import InvalidInput
    from queue_hub.store import User

    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise click.ClickException("Mật khẩu tối thiểu 8 ký tự / a password needs 8 characters")
    store = _store(database)
    try:
        store.add_user(
            User(username, display_name or username, hash_password(password), False), _now()
        )
    except InvalidInput as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()
    click.echo(f"Đã thêm cán bộ tỉnh {username} / added {username}")


@hub.group(help="Mẫu cấu hình trung tâm do tỉnh ban hành. / Site templates handed down.")
def template() -> None:
    pass


@template.command(
    "put",
    help="Lưu (phiên bản mới của) một mẫu từ tệp TOML. / Store (a new version of) a template.",
)
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@DATABASE
def template_put(name: str, file: Path, database: str) -> None:
    from queue_core.errors import InvalidSiteConfig
    from queue_core.site import parse_site

    text = file.read_text(encoding="utf-8")
    try:
        parse_site(text)  # a centre applies it as `motcua site apply`: refuse what it would
    except InvalidSiteConfig as exc:
        raise click.ClickException(f"{file}: {exc.message}") from exc
    store = _store(database)
    try:
        version = store.put_template(name, text, _now())
    finally:
        store.close()
    click.echo(f"Mẫu {name}: phiên bản {version} / template {name}: version {version}")
