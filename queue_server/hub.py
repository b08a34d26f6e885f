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
        # Seqs of the events being published that a later event of the same command makes
        # redundant on a wall board (see `superseded`).
        self.superseded: frozenset[int] = frozenset()

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

    def publish(self, events: Sequence[Event], texts: Sequence[str]) -> None:
        """Deliver one command's events, in order, with `texts`, their JSON as the writer
        made it for the log."""
        self.superseded = superseded(events)
        for event, text in zip(events, texts, strict=True):
            self.last_seq = max(self.last_seq, event.seq)
            for subscriber in list(self._subscribers):
                try:
                    subscriber(event, text)
                except Exception:  # one broken subscriber must not silence the others
                    log.exception("event subscriber failed on seq %d", event.seq)


def superseded(events: Sequence[Event]) -> frozenset[int]:
    """The completions that a call at the same counter, in the same command, makes moot.

    Call-next completes the counter's ticket, then calls the next: a board needs only
    the call, and with hundreds of boards each message sent costs the hall latency.
    """
    called_at = {e.counter for e in events if e.type == "ticket.called"}
    return frozenset(
        e.seq for e in events if e.type == "ticket.completed" and e.counter in called_at
    )
