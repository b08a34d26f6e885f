"""Contract v1's command line, driven from outside against real `motcua` processes."""

from __future__ import annotations

import re
import signal
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from queue_server.database import sample_site_text
from tests.helpers.server_process import ServerProcess, motcua, serve
from tests.server.conftest import SITE

pytestmark = pytest.mark.slow

VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


def site_file(tmp_path: Path, text: str = SITE) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def add_device(data_dir: Path, name: str, kind: str) -> str:
    result = motcua("device", "add", name, "--kind", kind, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_\-]{20,}", token), result.stdout
    return token


def add_user(data_dir: Path, username: str, password: str, role: str = "clerk") -> None:
    result = motcua(
        "user", "add", username, "--role", role, "--data-dir", str(data_dir), stdin=f"{password}\n"
    )
    assert result.returncode == 0, result.stderr


def login(server: ServerProcess, username: str, password: str) -> tuple[int, dict[str, object]]:
    with server.client() as http:
        response = http.post("/api/auth/token", data={"username": username, "password": password})
    return response.status_code, response.json()


def services(server: ServerProcess, token: str) -> list[dict[str, object]]:
    with server.client(token) as http:
        response = http.get("/api/services")
    assert response.status_code == 200, response.text
    body: list[dict[str, object]] = response.json()
    return body


def test_serve_on_an_empty_dir_uses_the_bundled_sample_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    sample = tomllib.loads(sample_site_text())["services"]
    with serve(data_dir) as server:
        assert re.search(r"http://127\.0\.0\.1:[1-9]\d*", "\n".join(server.lines))
        # A device added while the server runs works there at once.
        token = add_device(data_dir, "Màn hình sảnh", "display")
        listed = services(server, token)
        assert [(s["code"], s["name"]) for s in listed] == [(s["code"], s["name"]) for s in sample]
        assert len(listed) == 10
        assert all(VIETNAMESE.search(str(s["name"])) for s in listed)
        server.stop_cleanly(signal.SIGTERM)


def test_serve_creates_from_the_site_file_then_reopens_it_and_stops_on_sigint(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, site_file(tmp_path)) as server:
        token = add_device(data_dir, "Kiosk 1", "kiosk")
        assert [s["code"] for s in services(server, token)] == ["TP", "DD"]
        with server.client(token) as http:
            issued = http.post("/api/tickets", json={"service": "TP"})
        assert issued.status_code == 201, issued.text
        server.stop_cleanly(signal.SIGINT)
    # A later start opens what is there: the site's services and the ticket, not the sample.
    with serve(data_dir) as server:
        assert [s["code"] for s in services(server, token)] == ["TP", "DD"]
        with server.client(token) as http:
            again = http.get(f"/api/tickets/{issued.json()['id']}")
        assert again.json()["number"] == "1001"
        server.stop_cleanly(signal.SIGTERM)


def test_user_add_reads_stdin_and_user_disable_refuses_login_on_a_running_server(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, site_file(tmp_path)) as server:
        add_user(data_dir, "lan", "mật-khẩu-Lan-1")
        status, body = login(server, "lan", "mật-khẩu-Lan-1")
        assert status == 200, body
        assert body["token_type"] == "bearer"
        assert isinstance(body["access_token"], str)
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", body["access_token"])
        session = body["access_token"]
        with server.client(session) as http:
            assert http.post("/api/counters/1/call-next").status_code == 204
        assert login(server, "lan", "wrong password")[0] == 401

        result = motcua("user", "disable", "lan", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        assert login(server, "lan", "mật-khẩu-Lan-1")[0] == 401
        with server.client(session) as http:
            assert http.get("/api/services").status_code == 401
        listed = motcua("user", "list", "--data-dir", str(data_dir))
        assert re.search(r"^lan\tclerk\tdisabled", listed.stdout, re.MULTILINE), listed.stdout

        assert motcua("user", "enable", "lan", "--data-dir", str(data_dir)).returncode == 0
        assert login(server, "lan", "mật-khẩu-Lan-1")[0] == 200
        server.stop_cleanly()


def test_device_token_is_the_last_line_works_at_once_and_revoke_ends_it(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with serve(data_dir, site_file(tmp_path)) as server:
        token = add_device(data_dir, "Kiosk sảnh chính", "kiosk")
        with server.client(token) as http:
            issued = http.post("/api/tickets", json={"service": "DD"})
            assert issued.status_code == 201, issued.text
            assert issued.json()["number"] == "2001"
        listed = motcua("device", "list", "--data-dir", str(data_dir))
        assert re.search(r"\tkiosk\tactive\tKiosk sảnh chính\t", listed.stdout), listed.stdout

        result = motcua("device", "revoke", "Kiosk sảnh chính", "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stderr
        with server.client(token) as http:
            assert http.get("/api/services").status_code == 401
            assert http.post("/api/tickets", json={"service": "DD"}).status_code == 401
        listed = motcua("device", "list", "--data-dir", str(data_dir))
        assert re.search(r"\tkiosk\trevoked\tKiosk sảnh chính\t", listed.stdout), listed.stdout
        server.stop_cleanly()


def test_python_m_queue_server_is_the_same_program() -> None:
    result = motcua("--help", command=(sys.executable, "-m", "queue_server"))
    assert result.returncode == 0, result.stderr
    for command in ("serve", "user", "device", "voice", "demo"):
        assert re.search(rf"^\s+{command}\b", result.stdout, re.MULTILINE), result.stdout


def test_a_bad_site_file_names_the_key_path_and_exits_non_zero(tmp_path: Path) -> None:
    bad = SITE.replace("digits = 3", 'digits = "ba"', 1)
    result = motcua(
        "serve",
        "--data-dir",
        str(tmp_path / "data"),
        "--port",
        "0",
        "--site",
        str(site_file(tmp_path, bad)),
        timeout=20,
    )
    assert result.returncode != 0
    assert "services[0].digits" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "serving on" not in result.stdout


def test_voice_text_reads_the_number_as_vietnamese_words() -> None:
    result = motcua("voice", "text", "1005", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba"
    )


def test_demo_serves_plays_citizens_and_clerks_and_exits(tmp_path: Path) -> None:
    args = ["demo", "--port", "0", "--duration", "3", "--pace", "20"]
    result = motcua(*args, "--data-dir", str(tmp_path / "demo"), timeout=30)
    assert result.returncode == 0, result.stderr
    assert re.search(r"http://127\.0\.0\.1:[1-9]\d*", result.stdout), result.stdout
    assert "Lấy số" in result.stdout, result.stdout
    assert "Mời công dân" in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr


def test_admin_commands_wait_for_a_busy_server_rather_than_failing(tmp_path: Path) -> None:
    """Tickets pour in while a device and a user are added: both sides succeed."""
    data_dir = tmp_path / "data"
    with serve(data_dir, site_file(tmp_path)) as server:
        kiosk = add_device(data_dir, "Kiosk 1", "kiosk")
        stop = threading.Event()
        codes: list[int] = []

        def issue_until_stopped() -> None:
            with server.client(kiosk) as http:
                while not stop.is_set() or len(codes) < 50:
                    codes.append(http.post("/api/tickets", json={"service": "TP"}).status_code)

        traffic = threading.Thread(target=issue_until_stopped)
        traffic.start()
        try:
            display = add_device(data_dir, "Màn hình sảnh", "display")
            add_user(data_dir, "mai", "mat-khau-Mai")
        finally:
            stop.set()
            traffic.join(timeout=30)
        assert set(codes) == {201}
        assert len(services(server, display)) == 2
        assert login(server, "mai", "mat-khau-Mai")[0] == 200
        server.stop_cleanly()
