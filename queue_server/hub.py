"""Where committed events go: every subscriber receives them in `seq` order.

The writer publishes a command's events on the event loop once its transaction
has committed; subscribers (the WebSocket connections, the demo's printout) must
not block.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from queue_core.protocol import Event

log = logging.getLogger(__name__)

Subscriber = Callable[[Event], None]


class Hub:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self.last_seq = 0

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Start delivering events to `subscriber`; returns the function that stops it."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.last_seq = max(self.last_seq, event.seq)
            for subscriber in list(self._subscribers):
                try:
                    subscriber(event)
                except Exception:  # one broken subscriber must not silence the others
                    log.exception("event subscriber failed on seq %d", event.seq)
