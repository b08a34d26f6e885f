"""How one board was asked to run (the command line, parsed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import click


@dataclass(frozen=True, slots=True)
class BoardOptions:
    server: str
    token: str
    windowed: bool = False
    counters: frozenset[int] = frozenset()
    services: frozenset[str] = frozenset()
    speaker: bool = True
    volume: int = 100  # percent
    rate: float = 0.95
    language: str = "vi"
    board: str | None = None  # a name of the site file's [[boards]]


def parse_numbers(text: str | None) -> frozenset[int]:
    """ "1,2, 3" → {1, 2, 3}."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not all(p.isdigit() and 1 <= int(p) <= 999 for p in parts):
        raise click.BadParameter(f"expected counter numbers like 1,2,3, not {text!r}")
    return frozenset(int(p) for p in parts)


def parse_codes(text: str | None) -> frozenset[str]:
    """ "TP, DD" → {"TP", "DD"}."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not all(re.fullmatch(r"[A-Za-z0-9_-]{1,16}", p) for p in parts):
        raise click.BadParameter(f"expected service codes like TP,DD, not {text!r}")
    return frozenset(parts)
