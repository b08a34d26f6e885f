"""A PostgreSQL server of the tests' own: initdb in a temporary directory, a free port on
127.0.0.1, its unix socket in that directory, no system service (TECH-NOTES.md).

`initdb` refuses to run as root, and CI runs as root: there the server runs as the
`postgres` user of Debian's package, in a directory that user owns. `bench/hub.py` starts
one the same way.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SEARCHED = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
"""Debian's PostgreSQL binaries, the newest first (Debian 12: 15)."""

SUPERUSER = "motcua"


def binaries() -> Path | None:
    """Where `initdb` and `pg_ctl` are, or None where PostgreSQL is not installed."""
    for directory in SEARCHED:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """One running server; `url(name)` is a database on it."""

    directory: Path
    port: int
    bin: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, bin_dir: Path) -> PostgresServer:
        directory = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        server = cls(directory, _free_port(), bin_dir)
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        data = directory / "data"
        server._run(
            "initdb", "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
            "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        # fsync off: a test's database never has to outlive a power cut.
        options = (
            f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        server._run(
            "pg_ctl", "-D", str(data), "-l", str(directory / "log"), "-o", options, "-w", "start"
        )
        return server

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        path = self.directory / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        command: Sequence[str] = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.directory)
