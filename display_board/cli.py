"""`motcua display`: the wall board. Qt is imported only when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import click
from click.core import ParameterSource

from display_board.options import BoardOptions, parse_codes, parse_numbers
from queue_client.token_file import ON_COMMAND_LINE, TokenFileError, device_token

T = TypeVar("T")


def _one_zone(ctx: click.Context, param: click.Parameter, value: T) -> T:
    """Refuse --board beside --counters or --services, whichever comes last. In a
    callback, not the command's body, so that `motcua autostart` (which only parses)
    refuses it when the unit is written, not at boot."""
    given = {**ctx.params, str(param.name): value}
    if given.get("board") is not None and (given.get("counters") or given.get("services")):
        raise click.UsageError(
            "--board lấy quầy và lĩnh vực từ tệp cấu hình, không dùng cùng --counters hay "
            "--services / --board takes its counters and services from the site file: "
            "not with --counters or --services",
            ctx,
        )
    if param.name == "board" and value is not None and not str(value).strip():
        raise click.BadParameter("tên trống / an empty name", ctx, param)
    return value


@click.command(
    help="Màn hình gọi số trên tường, cho cả sảnh hoặc một khu. / The wall display board "
    "for the hall or one zone."
)
@click.option(
    "--server",
    required=True,
    envvar="MOTCUA_SERVER",
    help="Địa chỉ máy chủ, ví dụ http://10.0.0.2:8000 / The queue server, e.g. "
    "http://10.0.0.2:8000",
)
@click.option(
    "--token",
    envvar="MOTCUA_TOKEN",
    help="Mã truy cập của màn hình; nên đặt trong biến MOTCUA_TOKEN hoặc --token-file "
    "(mọi tài khoản trên máy đều thấy dòng lệnh). / The board's display token; better "
    "in MOTCUA_TOKEN "
    "or --token-file (every local account sees the command line).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="MOTCUA_TOKEN_FILE",
    help="Tệp chứa mã truy cập, chỉ tài khoản chạy máy đọc được (chmod 600). / A file holding "
    "the token, readable by this account alone (chmod 600).",
)
@click.option(
    "--windowed",
    is_flag=True,
    help="Chạy trong cửa sổ thay vì toàn màn hình. / A window instead of full screen.",
)
@click.option(
    "--counters",
    callback=lambda ctx, param, value: _one_zone(ctx, param, parse_numbers(value)),
    help="Màn hình một khu: chỉ các quầy này, ví dụ 1,2,3. / A zone board: only these "
    "counters, e.g. 1,2,3.",
)
@click.option(
    "--services",
    callback=lambda ctx, param, value: _one_zone(ctx, param, parse_codes(value)),
    help="Màn hình một khu: chỉ các lĩnh vực này, ví dụ TP,DD. / A zone board: only these "
    "services, e.g. TP,DD.",
)
@click.option(
    "--board",
    metavar="NAME",
    callback=lambda ctx, param, value: _one_zone(ctx, param, value),
    help="Màn hình có tên trong tệp cấu hình ([[boards]]): hiện các quầy, lĩnh vực của nó và "
    "đổi theo tệp khi đang chạy. / A board named in the site file ([[boards]]): shows its "
    "counters and services, and follows the file's changes live.",
)
@click.option(
    "--speaker/--silent",
    default=True,
    show_default=True,
    help="Màn hình này có đọc to số được gọi hay không. / Whether this board announces calls "
    "aloud.",
)
@click.option(
    "--volume",
    type=click.IntRange(0, 100),
    default=100,
    show_default=True,
    help="Âm lượng, 0 đến 100. / Volume, 0 to 100.",
)
@click.option(
    "--rate",
    type=click.FloatRange(0.5, 1.5),
    default=0.95,
    show_default=True,
    help="Tốc độ đọc; 1 là bình thường. / Speech rate; 1 is normal speed.",
)
@click.option(
    "--language",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Ngôn ngữ. / Language.",
)
def command(
    server: str,
    token: str | None,
    token_file: Path | None,
    windowed: bool,
    counters: frozenset[int],
    services: frozenset[str],
    board: str | None,
    speaker: bool,
    volume: int,
    rate: float,
    language: str,
) -> None:
    from display_board.app import run

    try:
        token = device_token(token, token_file)
    except TokenFileError as exc:
        raise click.UsageError(str(exc)) from exc
    source = click.get_current_context().get_parameter_source("token")
    if token_file is None and source is ParameterSource.COMMANDLINE:
        click.echo(ON_COMMAND_LINE, err=True)
    options = BoardOptions(
        server, token, windowed, counters, services, speaker, volume, rate, language, board
    )
    raise SystemExit(run(options))
