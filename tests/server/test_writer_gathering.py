"""The writer's next batch waits for the clients its last one answered (issue #15): four
clerks calling in turn share one commit instead of splitting into two groups that commit
in turn, and a command on its own never waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from queue_server import writer as writer_module
from queue_server.database import open_store
from queue_server.writer import Writer
from tests.server.test_store_failures import add, device_names, run_writer
from tests.server.test_writer_light import tracing

ROUNDS = 20
NETWORK_S = 0.0003  # what a clerk's answer and next press take on the LAN, at the least


async def clerk(writer: Writer, name: str, rounds: int) -> None:
    """Calls, waits for the answer to cross the network and the next press to come back,
    and calls again."""
    for n in range(rounds):
        await writer.run(add(f"{name}-{n}"), light=True)
        await asyncio.sleep(NETWORK_S)


async def clerks_out_of_step(writer: Writer, rounds: int = ROUNDS) -> None:
    """Four clerks, the first a batch ahead of the other three: without gathering, the
    first commits alone while the others' batch commits, and so on to the end."""
    first = asyncio.ensure_future(clerk(writer, "a", rounds))
    await asyncio.sleep(0)  # its command is in a batch now
    await asyncio.gather(first, *(clerk(writer, name, rounds) for name in "bcd"))


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wait longer than any test: a batch that waits for nobody hangs the test, and a
    loaded machine's slow turns cannot end a wait early."""
    monkeypatch.setattr(writer_module, "GATHER_S", 3600.0)


def test_clerks_answered_together_share_the_next_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Far longer than the clerks take to come back, even on a loaded machine.
    monkeypatch.setattr(writer_module, "GATHER_S", 0.2)
    open_store(tmp_path).close()
    commits: list[str] = []
    run_writer(tracing(tmp_path, "COMMIT", commits), clerks_out_of_step)
    assert len(device_names(tmp_path)) == 4 * ROUNDS
    # The first clerk's first call alone, then the four together, the first clerk a call
    # ahead; the other three's last calls wait for it in vain (once) and go on alone. One
    # commit a round, not two, as the two groups committing in turn had.
    assert len(commits) == ROUNDS + 1


def test_without_the_wait_the_clerks_split_into_two_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the wait is for: the same clerks, with a batch starting with whoever waits."""
    monkeypatch.setattr(writer_module, "GATHER_S", 0.0)
    open_store(tmp_path).close()
    commits: list[str] = []
    run_writer(tracing(tmp_path, "COMMIT", commits), clerks_out_of_step)
    assert len(commits) >= 2 * ROUNDS - 1


def test_a_command_on_its_own_never_waits(tmp_path: Path, patient: None) -> None:
    open_store(tmp_path).close()

    async def alone(writer: Writer) -> None:
        # One clerk, then four at once, then one again: the first lone command after the
        # four waits for its window once, the rest never (the test's wait is an hour).
        await asyncio.wait_for(clerk(writer, "solo", ROUNDS), timeout=60)
        await asyncio.gather(*(writer.run(add(f"four-{n}"), light=True) for n in range(4)))
        writer_module.GATHER_S = 0.01
        await writer.run(add("after"), light=True)  # the four are gone: waits 10 ms once
        writer_module.GATHER_S = 3600.0
        await asyncio.wait_for(clerk(writer, "solo-again", ROUNDS), timeout=60)

    run_writer(lambda: open_store(tmp_path), alone)
    assert len(device_names(tmp_path)) == 2 * ROUNDS + 5


def test_a_clerk_who_stops_costs_the_others_one_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "GATHER_S", 0.05)
    waits: list[None] = []
    gathered = Writer._gathered

    def counted(writer: Writer) -> None:
        waits.append(None)  # a wait that ran out (a count reached starts the batch itself)
        gathered(writer)

    monkeypatch.setattr(Writer, "_gathered", counted)
    open_store(tmp_path).close()
    commits: list[str] = []

    async def one_leaves(writer: Writer) -> None:
        await asyncio.gather(
            clerk(writer, "a", 5), *(clerk(writer, name, ROUNDS) for name in "bcd")
        )

    run_writer(tracing(tmp_path, "COMMIT", commits), one_leaves)
    assert len(device_names(tmp_path)) == 5 + 3 * ROUNDS
    assert len(commits) == ROUNDS
    assert len(waits) == 1  # then the three are the count to wait for


def test_stopping_while_a_batch_waits_commits_what_waits(tmp_path: Path, patient: None) -> None:
    open_store(tmp_path).close()

    async def stop_while_gathering(writer: Writer) -> None:
        await asyncio.gather(*(writer.run(add(f"four-{n}"), light=True) for n in range(4)))
        late = asyncio.ensure_future(writer.run(add("late"), light=True))
        await asyncio.sleep(0.01)  # it waits for three more, for an hour
        assert not late.done()
        writer.stop()
        assert await late > 0

    run_writer(lambda: open_store(tmp_path), stop_while_gathering)
    assert device_names(tmp_path) == {f"four-{n}" for n in range(4)} | {"late"}
