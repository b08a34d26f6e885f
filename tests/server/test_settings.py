"""Server settings: flags, then MOTCUA_* environment variables, then the settings file,
then defaults (docs/configuration.md)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from queue_server.settings import Settings
from tests.helpers.server_process import MOTCUA, ServerProcess, child_env


@pytest.fixture(autouse=True)
def no_motcua_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("MOTCUA_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = Settings.load(data_dir=Path("d"))
    assert (settings.host, settings.port, settings.site_file) == ("127.0.0.1", 8000, None)


def test_flags_beat_the_environment_which_beats_the_file_which_beats_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "motcua.env"
    env_file.write_text(
        "MOTCUA_DATA_DIR=/srv/motcua\nMOTCUA_HOST=0.0.0.0\nMOTCUA_PORT=7000\n"
        "MOTCUA_SITE=/etc/motcua/site.toml\nMOTCUA_SERVER=http://for-the-apps\n",
        encoding="utf-8",
    )
    from_file = Settings.load(env_file)
    assert from_file.data_dir == Path("/srv/motcua")
    assert (from_file.host, from_file.port) == ("0.0.0.0", 7000)
    assert from_file.site_file == Path("/etc/motcua/site.toml")
    assert from_file.ws_buffer_max == 1000  # a default under all three

    monkeypatch.setenv("MOTCUA_PORT", "8123")
    monkeypatch.setenv("MOTCUA_WS_BUFFER_MAX", "50")
    from_env = Settings.load(env_file, port=None, host=None)  # None: flag not given
    assert (from_env.host, from_env.port, from_env.ws_buffer_max) == ("0.0.0.0", 8123, 50)

    flags = Settings.load(env_file, port=9000, site_file=Path("other.toml"))
    assert (flags.port, flags.site_file, flags.host) == (9000, Path("other.toml"), "0.0.0.0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def serve_with_env(tmp_path: Path, env: dict[str, str], *args: str) -> ServerProcess:
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [MOTCUA, "serve", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            env={**child_env(), **env},
        )
    try:
        return ServerProcess(process, stderr_path)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise


@pytest.mark.slow
def test_serve_takes_host_port_and_data_dir_from_the_environment(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "MOTCUA_HOST": "127.0.0.1",
        "MOTCUA_PORT": str(port),
        "MOTCUA_DATA_DIR": str(tmp_path / "data"),
    }
    server = serve_with_env(tmp_path, env)
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        assert (tmp_path / "data" / "motcua.db").exists()
        server.stop_cleanly()
    finally:
        server.close()


@pytest.mark.slow
def test_serve_flags_win_over_the_environment(tmp_path: Path) -> None:
    # Neither would start: an unusable host and a port already taken.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {"MOTCUA_HOST": "256.0.0.1", "MOTCUA_PORT": str(taken.getsockname()[1])}
        server = serve_with_env(
            tmp_path,
            env,
            "--data-dir",
            str(tmp_path / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        )
        try:
            assert server.url != f"http://127.0.0.1:{env['MOTCUA_PORT']}"
            server.stop_cleanly()
        finally:
            server.close()


def test_every_server_setting_is_in_configuration_md() -> None:
    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = {"site_file": "MOTCUA_SITE"}
    missing = [
        name
        for name in Settings.model_fields
        if f"`{names.get(name, 'MOTCUA_' + name.upper())}`" not in text
    ]
    assert not missing, f"docs/configuration.md does not document {missing}"
