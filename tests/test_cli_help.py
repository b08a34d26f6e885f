"""Every `motcua` command and option explains itself in Vietnamese first (English after).

The walk finds commands added later too: a new subcommand with English-only help fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from motcua.cli import main

# Letters only Vietnamese uses among the scripts `--help` could be written in.
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)


def commands(
    group: click.Group = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, group
    ctx = click.Context(group, info_name="motcua")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


ALL = sorted(commands(), key=lambda pair: pair[0])


def test_the_walk_finds_every_part() -> None:
    names = {" ".join(path) for path, _ in ALL}
    assert {"", "serve", "user add", "device add", "kiosk", "counter", "display"} <= names
    assert {"printer test", "printer status", "voice text", "demo"} <= names


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "motcua" for p, _ in ALL])
def test_help_is_vietnamese_first(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Cách dùng / Usage: ")
    assert "Tùy chọn / Options:" in result.output
    output = _flat(result.output)
    assert command.help, f"{path}: no help"
    assert VIETNAMESE.search(command.help), f"{path}: English-only help"
    assert _flat(command.help.split("\n\n")[0]) in output
    ctx = click.Context(command, info_name="motcua")
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        name = "/".join(param.opts)
        assert param.help, f"{path} {name}: no help"
        assert VIETNAMESE.search(param.help), f"{path} {name}: English-only help {param.help!r}"
        assert _flat(param.help) in output, f"{path} {name}: help not shown"


def test_click_s_notes_on_options_are_bilingual_too() -> None:
    output = CliRunner().invoke(main, ["user", "add", "--help"], terminal_width=200).output
    assert "[bắt buộc / required]" in output
    assert "[required]" not in output
    output = CliRunner().invoke(main, ["voice", "text", "--help"], terminal_width=200).output
    assert "[mặc định / default: words]" in output
    assert "[default:" not in output
