"""What reports read: the tickets of a range of days, with their first call and rating.

A ticket's `called_at` is its last call (a transfer or a requeue clears it, the next
call sets it again), but a report's wait runs from issue to the FIRST call. The store
keeps that instant in its own column, `first_called_at`, set once by the first call
(`update_tickets` never overwrites it), so a report reads one row per ticket and no event.
The migration fills it for tickets called before it existed, from their first
`ticket.called` event.

The range is read through the index that leads with the day (`tickets_day_number`), and
each rating by its key: a month of a busy centre is some 20,000 rows, never a scan.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from queue_core.model import TicketStatus
from queue_core.report import Visit
from queue_server.store.sqlite import alerts as _alerts  # noqa: F401  (m011 first)
from queue_server.store.sqlite.schema import migrations


@migrations()
def m012_first_called_at(db: Database) -> None:
    # Idempotent: a database from before this migration's renumbering has the column.
    if "first_called_at" not in db.table("tickets").columns_dict:
        db.execute("alter table tickets add column first_called_at text")
    # One pass over the call events (through the (type, …) index), not a lookup per ticket;
    # every call has had its `ticket.called` event, walk-ins included.
    db.execute(
        "update tickets set first_called_at = firsts.at from ("
        " select ticket_id, min(at) as at from events"
        " where type = 'ticket.called' and ticket_id is not null group by ticket_id"
        ") as firsts where firsts.ticket_id = tickets.id"
    )


VISITS_SQL = (
    "select t.issued_service, t.status, t.day, t.issued_at, t.first_called_at, t.called_at,"
    " t.finished_at, t.counter, t.clerk, r.score, t.walk_in"
    " from tickets t left join ratings r on r.ticket_id = t.id"
    " where t.day >= ? and t.day <= ?"
)


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def visits(db: Database, first: date, last: date) -> list[Visit]:
    """The tickets issued on the site's days `first` to `last` (both included)."""
    statuses = {status.value: status for status in TicketStatus}
    days: dict[str, date] = {}
    found: list[Visit] = []
    for (
        service,
        status,
        day,
        issued_at,
        first_called_at,
        called_at,
        finished_at,
        counter,
        clerk,
        score,
        walk_in,
    ) in db.execute(VISITS_SQL, [first.isoformat(), last.isoformat()]):
        on = days.get(day)
        if on is None:
            on = days[day] = date.fromisoformat(day)
        found.append(
            Visit(
                service=service,
                status=statuses[status],
                day=on,
                issued_at=datetime.fromisoformat(issued_at),
                first_called_at=_at(first_called_at),
                called_at=_at(called_at),
                finished_at=_at(finished_at),
                counter=counter,
                clerk=clerk,
                rating=score,
                walk_in=bool(walk_in),
            )
        )
    return found
