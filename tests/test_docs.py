"""The docs keep up with the code: every event and every site setting is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from queue_core.protocol import (
    EVENT_TYPES,
    PROTOCOL_VERSION,
    CallOut,
    DisplaySettings,
    Event,
    Snapshot,
)
from queue_core.site import (
    BoardConfig,
    CounterConfig,
    DisplayConfig,
    HoursConfig,
    ServiceConfig,
    SiteConfig,
    SiteSection,
)
from queue_server.routes import events

DOCS = Path(__file__).resolve().parents[1] / "docs"
EVENT_MODELS: tuple[type[BaseModel], ...] = get_args(get_args(Event)[0])


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def headings(text: str) -> list[str]:
    """Markdown headings, not the `#` lines of code blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif line.startswith("#") and not fenced:
            found.append(line)
    return found


def mentioned(name: str, text: str) -> bool:
    """`name` in backticks, as a TOML table (`[name]`, `[[name]]`, `[site.name]`) or key."""
    word = re.escape(name)
    return bool(
        re.search(rf"`{word}`", text)
        or re.search(rf"\[\[?(?:\w+\.)?{word}\]\]?", text)
        or re.search(rf"^{word} = ", text, re.MULTILINE)
    )


@pytest.mark.parametrize("event_type", [*EVENT_TYPES, "snapshot"])
def test_every_event_type_has_a_heading_in_protocol_md(event_type: str) -> None:
    assert any(f"`{event_type}`" in h for h in headings(read("protocol.md"))), (
        f"docs/protocol.md has no heading for `{event_type}`"
    )


def test_the_event_models_are_the_documented_types() -> None:
    assert [m.model_fields["type"].default for m in EVENT_MODELS] == list(EVENT_TYPES)


@pytest.mark.parametrize(
    "model", [*EVENT_MODELS, Snapshot, DisplaySettings, CallOut], ids=lambda m: m.__name__
)
def test_every_field_on_the_stream_is_described(model: type[BaseModel]) -> None:
    text = read("protocol.md")
    missing = [f for f in model.model_fields if not mentioned(f, text)]
    assert not missing, f"docs/protocol.md does not mention {model.__name__} fields {missing}"


def test_close_codes_and_version_are_documented() -> None:
    text = read("protocol.md")
    codes = (events.CLOSE_BAD_REQUEST, events.CLOSE_UNAUTHORIZED, events.CLOSE_TOO_SLOW)
    for code in codes:
        assert f"`{code}`" in text, f"close code {code} is undocumented"
    assert f"PROTOCOL_VERSION = {PROTOCOL_VERSION}" in text
    assert "since=" in text
    assert "ping every 20 s" in text


SETTINGS_MODELS = (
    SiteConfig,
    SiteSection,
    ServiceConfig,
    CounterConfig,
    DisplayConfig,
    HoursConfig,
    BoardConfig,
)


@pytest.mark.parametrize("model", SETTINGS_MODELS, ids=lambda m: m.__name__)
def test_every_site_setting_is_in_configuration_md(model: type[BaseModel]) -> None:
    if not (DOCS / "configuration.md").exists():
        pytest.skip("docs/configuration.md is not written yet")
    text = read("configuration.md")
    missing = [f for f in model.model_fields if not mentioned(f, text)]
    assert not missing, f"docs/configuration.md does not mention {model.__name__} {missing}"
