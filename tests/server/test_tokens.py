"""The in-memory token table reads the store's auth revision once per turn of the event
loop, yet a token revoked by another connection stops working on the next turn."""

from __future__ import annotations

import asyncio
from pathlib import Path

from queue_server.store import connect
from queue_server.tokens import Tokens
from tests.server.conftest import MONDAY_9AM, prepare_data_dir

REVISION_READ = "select value from settings where key"


def test_one_turn_reads_the_revision_once_and_the_next_sees_a_revocation(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    token = prepare_data_dir(data_dir, now=MONDAY_9AM)["lan"]
    reader, other = connect(data_dir), connect(data_dir)
    reads: list[str] = []
    reader.db.conn.set_trace_callback(
        lambda sql: reads.append(sql) if sql.startswith(REVISION_READ) else None
    )

    async def serve() -> None:
        tokens = Tokens(reader)
        reads.clear()
        for _ in range(20):  # twenty requests served in one turn
            assert tokens.holder(token, MONDAY_9AM) is not None
        assert len(reads) == 1
        other.set_user_disabled("lan", True)  # `motcua user disable`, from the side
        await asyncio.sleep(0)  # the next turn
        assert tokens.holder(token, MONDAY_9AM) is None
        assert len(reads) == 2

    try:
        asyncio.run(serve())
    finally:
        reader.close()
        other.close()


def test_off_the_event_loop_every_lookup_reads_the_revision(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    token = prepare_data_dir(data_dir, now=MONDAY_9AM)["lan"]
    reader, other = connect(data_dir), connect(data_dir)
    try:
        tokens = Tokens(reader)
        assert tokens.holder(token, MONDAY_9AM) is not None
        other.set_user_disabled("lan", True)
        assert tokens.holder(token, MONDAY_9AM) is None
    finally:
        reader.close()
        other.close()
