"""`motcua --help` in Vietnamese first, English after: click's own words included.

Each command's and option's help text is written "Vietnamese / English" where it is
declared; what click adds itself ("Usage:", "Options", "[default: …]", "[required]", the
`--help` option's line) is made bilingual here, for every command under `motcua`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

import click

HELP_OPTION_HELP = "Hiện hướng dẫn này rồi thoát. / Show this message and exit."

_EXTRAS = re.compile(r"\[([^\[\]]*)\]$")


class BilingualFormatter(click.HelpFormatter):
    """Click's headings ("Usage:", "Options", "Commands") in Vietnamese first."""

    SECTIONS: ClassVar[dict[str, str]] = {
        "Options": "Tùy chọn / Options",
        "Commands": "Lệnh / Commands",
        "Arguments": "Tham số / Arguments",
    }

    # What click appends to an option's help, "[env var: X; default: Y; required]".
    EXTRAS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("env var: ", "biến môi trường / env var: "),
        ("default: ", "mặc định / default: "),
        ("required", "bắt buộc / required"),
    )

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl([(term, self._extras(text)) for term, text in rows], col_max, col_spacing)

    @classmethod
    def _extras(cls, text: str) -> str:
        found = _EXTRAS.search(text)
        if found is None:
            return text
        items = found.group(1).split("; ")
        for index, item in enumerate(items):
            for english, bilingual in cls.EXTRAS:
                if item.startswith(english):
                    items[index] = bilingual + item[len(english) :]
        return text[: found.start()] + "[" + "; ".join(items) + "]"

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Cách dùng / Usage: " if prefix is None else prefix)

    @contextlib.contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(self.SECTIONS.get(name, name)):
            yield


class BilingualContext(click.Context):
    formatter_class = BilingualFormatter


def make_bilingual(command: click.Command, ctx: click.Context) -> None:
    """Give `command` and its subcommands the bilingual headings and `--help` line.

    The apps' and the printer's commands are declared in their own packages with plain
    click, so this is applied where `motcua` resolves them rather than where they are made.
    """
    command.context_class = BilingualContext
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_OPTION_HELP
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            make_bilingual(sub, ctx)
