"""Fakes at the printer's true edge: hardware states no pseudo-terminal can produce."""

from __future__ import annotations


class FakeBlockedPort:
    """A serial port whose printer holds CTS low: its output never drains."""

    def __init__(self, waiting: int = 4096) -> None:
        self.out_waiting = waiting
        self.discarded = False

    def reset_output_buffer(self) -> None:
        self.discarded = True
        self.out_waiting = 0
