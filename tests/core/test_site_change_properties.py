"""Whatever two sites and whatever day: a plan that is not refused leaves every waiting
ticket a counter to call it, and no service that numbers afresh can print a number again
that was printed today (issue #13)."""

from __future__ import annotations

from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from queue_core.errors import SiteChangeRefused
from queue_core.model import Ticket, TicketStatus
from queue_core.numbering import format_number
from queue_core.site import SiteConfig, site_from_data
from queue_core.site_change import plan_site_change
from tests.core.builders import make_ticket

CODES = ("TP", "DD", "LD", "KQ")
PREFIXES = ("1", "2", "11", "A", "AB", "B")


@st.composite
def sites(draw: st.DrawFn) -> SiteConfig:
    """A valid site: where a draw would clash, the clashing service or counter is retired
    (more retirements, which is what these tests are about)."""
    services: list[dict[str, Any]] = []
    for code in CODES:
        prefix = draw(st.sampled_from(PREFIXES))
        retired = draw(st.booleans()) or any(
            not s["retired"] and (s["prefix"].startswith(prefix) or prefix.startswith(s["prefix"]))
            for s in services
        )
        services.append(
            {
                "code": code,
                "name": f"Lĩnh vực {code}",
                "prefix": prefix,
                "digits": draw(st.integers(1, 3)),
                "retired": retired,
            }
        )
    gone = {s["code"] for s in services if s["retired"]}
    counters = []
    for number in (1, 2, 3):
        serves = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
        retired = draw(st.booleans()) or bool(gone & set(serves))
        counters.append({"number": number, "services": serves, "retired": retired})
    return site_from_data({"site": {"name": "Xã"}, "services": services, "counters": counters})


@st.composite
def days(draw: st.DrawFn, site: SiteConfig) -> list[Ticket]:
    """Today's tickets of `site`'s active services, some still waiting."""
    tickets: list[Ticket] = []
    served = {code for c in site.counters if not c.retired for code in c.services}
    for service in site.services:
        if service.retired:
            continue
        statuses = [TicketStatus.DONE]
        if service.code in served:  # as the day stands, every waiting ticket has a counter
            statuses.append(TicketStatus.WAITING)
        for sequence in range(1, draw(st.integers(0, 12)) + 1):
            status = draw(st.sampled_from(statuses))
            ticket = make_ticket(len(tickets) + 1, service.code, status=status)
            number = format_number(service.prefix, sequence, service.digits)
            tickets.append(ticket.replace(number=number, sequence=sequence))
    return tickets


def future_numbers(prefix: str, digits: int, last: int, longest: int) -> set[str]:
    """Every number the service could print from now on, up to `longest` characters."""
    numbers: set[str] = set()
    sequence = last + 1
    while len(number := format_number(prefix, sequence, digits)) <= longest:
        numbers.add(number)
        sequence += 1
    return numbers


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_accepted_plan_orphans_nothing_and_repeats_no_number(data: Any) -> None:
    current = data.draw(sites())
    new = data.draw(sites())
    today = data.draw(days(current))
    waiting = [t for t in today if t.status is TicketStatus.WAITING]
    assert plan_site_change(current, current, waiting, today) == []
    try:
        plan_site_change(current, new, waiting, today)
    except SiteChangeRefused:
        event("refused")
        return  # what is refused is told by the example tests
    event("accepted")
    active = {c.number: c for c in new.counters if not c.retired}
    services = {s.code: s for s in new.services}
    for ticket in waiting:
        assert not services[ticket.service].retired
        assert any(ticket.service in c.services for c in active.values())
    printed = {t.number for t in today}
    longest = max((len(n) for n in printed), default=0)
    before = {s.code: s for s in current.services}
    for service in new.services:
        old = before[service.code]
        if service.retired or (
            not old.retired and (old.prefix, old.digits) == (service.prefix, service.digits)
        ):
            continue  # numbering goes on as it was: checked when it began
        last = max((t.sequence for t in today if t.service == service.code), default=0)
        assert not future_numbers(service.prefix, service.digits, last, longest) & printed
