"""`motcua display`: the wall board. Qt is imported only when it runs."""

from __future__ import annotations

import click

from display_board.options import BoardOptions, parse_codes, parse_numbers


@click.command(help="The wall display board (màn hình gọi số) for the hall or one zone.")
@click.option("--server", required=True, envvar="MOTCUA_SERVER", help="e.g. http://10.0.0.2:8000")
@click.option("--token", required=True, envvar="MOTCUA_TOKEN", help="The board's display token.")
@click.option("--windowed", is_flag=True, help="A window instead of full screen.")
@click.option(
    "--counters",
    callback=lambda ctx, param, value: parse_numbers(value),
    help="A zone board: only these counters, e.g. 1,2,3.",
)
@click.option(
    "--services",
    callback=lambda ctx, param, value: parse_codes(value),
    help="A zone board: only these services, e.g. TP,DD.",
)
@click.option(
    "--speaker/--silent",
    default=True,
    show_default=True,
    help="Whether this board announces calls aloud.",
)
@click.option("--volume", type=click.IntRange(0, 100), default=100, show_default=True)
@click.option(
    "--rate",
    type=click.FloatRange(0.5, 1.5),
    default=0.95,
    show_default=True,
    help="Speech rate; 1 is normal speed.",
)
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def command(
    server: str,
    token: str,
    windowed: bool,
    counters: frozenset[int],
    services: frozenset[str],
    speaker: bool,
    volume: int,
    rate: float,
    language: str,
) -> None:
    from display_board.app import run

    options = BoardOptions(
        server, token, windowed, counters, services, speaker, volume, rate, language
    )
    raise SystemExit(run(options))
