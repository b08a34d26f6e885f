"""Fixtures for the printer tests: golden files, the virtual printer and its endpoints.

Golden files change only on purpose: ``pytest tests/printer --update-golden`` rewrites them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from printer_drivers.emulator import PtyEmulator, TcpEmulator, VirtualPrinter

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/printer/golden/ from the current output",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, bytes], None]:
    """Compare bytes with a golden file (or rewrite it with --update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, actual: bytes) -> None:
        path = GOLDEN / name
        if update:
            path.write_bytes(actual)
            return
        assert path.exists(), f"{path} is missing: run pytest tests/printer --update-golden"
        expected = path.read_bytes()
        if actual != expected:
            first = next(
                (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
                min(len(actual), len(expected)),
            )
            pytest.fail(
                f"{name}: {len(actual)} bytes, golden has {len(expected)}; first difference "
                f"at byte {first}. If the change is intended: pytest tests/printer "
                "--update-golden"
            )

    return check


@pytest.fixture
def virtual_printer(tmp_path: Path) -> VirtualPrinter:
    return VirtualPrinter(tmp_path / "printouts")


@pytest.fixture
def tcp_emulator(virtual_printer: VirtualPrinter) -> Iterator[TcpEmulator]:
    with TcpEmulator(virtual_printer) as endpoint:
        yield endpoint


@pytest.fixture
def pty_emulator(virtual_printer: VirtualPrinter) -> Iterator[PtyEmulator]:
    with PtyEmulator(virtual_printer) as endpoint:
        yield endpoint


@pytest.fixture(params=["tcp", "pty"])
def emulator_url(request: pytest.FixtureRequest, virtual_printer: VirtualPrinter) -> Iterator[str]:
    """The URL of the virtual printer, over TCP and over a pseudo-terminal."""
    endpoint_type: Callable[[VirtualPrinter], TcpEmulator | PtyEmulator] = (
        TcpEmulator if request.param == "tcp" else PtyEmulator
    )
    with endpoint_type(virtual_printer) as endpoint:
        yield endpoint.url
