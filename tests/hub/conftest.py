"""The hub's tests run on a real PostgreSQL the session starts (`tests/hub/postgres.py`).

Where PostgreSQL is not installed they skip, saying so; with `CI` set they fail instead:
CI's machine installs it (`scripts/system-deps`), so its absence there is a defect.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.hub.postgres import PostgresServer, binaries

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from queue_hub.store import HubStore

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    found = binaries()
    if found is None:
        reason = (
            "PostgreSQL is not installed (Debian: apt-get install postgresql, or "
            "scripts/system-deps): the province hub's tests need a real one"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer.start(found)
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    """A new, empty database for one test, dropped after it."""
    import psycopg

    name = f"hub_test_{next(_names)}"
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"create database {name}")
    yield postgres.url(name)
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f"drop database {name} with (force)")


@pytest.fixture
def hub_store(database_url: str) -> Iterator[HubStore]:
    from queue_hub.store import connect

    store = connect(database_url)
    yield store
    store.close()


@pytest.fixture
def hub(hub_store: HubStore, database_url: str) -> Iterator[TestClient]:
    """The hub's real app on the test's database, in this process."""
    from fastapi.testclient import TestClient

    from queue_hub.app import create_app
    from queue_hub.settings import HubSettings

    with TestClient(create_app(HubSettings(database_url), hub_store)) as client:
        yield client
