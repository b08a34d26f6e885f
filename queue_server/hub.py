"""Where committed events go: every subscriber receives them in `seq` order.

The writer publishes a command's events on the event loop once its transaction
has committed. Each event is serialized once, whatever the number of
subscribers; subscribers (WebSocket connections, the demo's printout) must not
block: a connection only appends to its own bounded buffer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from queue_core.protocol import Event

log = logging.getLogger(__name__)

Subscriber = Callable[[Event, str], None]


class Hub:
    def __init__(self, last_seq: int = 0) -> None:
        self._subscribers: list[Subscriber] = []
        self.last_seq = last_seq

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Start delivering (event, its JSON) to `subscriber`; returns the unsubscribe."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.last_seq = max(self.last_seq, event.seq)
            text = event.model_dump_json()
            for subscriber in list(self._subscribers):
                try:
                    subscriber(event, text)
                except Exception:  # one broken subscriber must not silence the others
                    log.exception("event subscriber failed on seq %d", event.seq)
