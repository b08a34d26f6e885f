"""The admin page and the command line are one path to the site: on a real `motcua serve`
process, a rename applied on the page reaches a board's stream as `site.updated`,
`motcua site export` (another process, beside the running server) prints it, the page's
export is the command's text, and the audit log names the page's administrator."""

from __future__ import annotations

import html
import re
from pathlib import Path

from websockets.sync.client import connect as ws_connect

from queue_core.protocol import SiteUpdated, Snapshot, parse_event
from tests.helpers.server_process import motcua, serve
from tests.server.conftest import PASSWORDS, prepare_data_dir


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def _body(toml: str) -> str:
    """A site file without its comment lines (the export's header names the moment)."""
    return "\n".join(line for line in toml.splitlines() if not line.startswith("#")).strip()


def test_a_change_on_the_page_is_the_command_lines_site(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tokens = prepare_data_dir(data_dir)
    with serve(data_dir) as server:
        stream_url = server.url.replace("http://", "ws://") + "/ws/events"
        with (
            ws_connect(f"{stream_url}?token={tokens['display']}", open_timeout=10) as board,
            server.client() as browser,
        ):
            Snapshot.model_validate_json(board.recv(timeout=10))
            form = browser.get("/admin")
            browser.post(
                "/sign-in",
                data={
                    "username": "admin",
                    "password": PASSWORDS["admin"],
                    "csrf": _csrf(form.text),
                    "next": "/admin",
                },
            )
            csrf = _csrf(browser.get("/admin?service=DD").text)
            preview = browser.post(
                "/admin/site/preview",
                data={
                    "csrf": csrf,
                    "op": "service",
                    "code": "DD",
                    "name": "Đất đai – Nhà ở",
                    "prefix": "2",
                    "digits": "3",
                    "daily_cap": "3",
                },
            )
            assert preview.status_code == 200, preview.text
            assert "đổi tên 'Đất đai' → 'Đất đai – Nhà ở'" in html.unescape(preview.text)
            toml = re.search(r'name="toml" value="([^"]*)"', preview.text)
            assert toml is not None
            applied = browser.post(
                "/admin/site/apply",
                data={"csrf": csrf, "back": "/admin", "toml": html.unescape(toml.group(1))},
                follow_redirects=False,
            )
            assert applied.status_code == 303, applied.text
            event = parse_event(board.recv(timeout=10))
            page_export = browser.get("/admin/site/export.toml").text
            audit = browser.get("/admin/audit").text
        assert isinstance(event, SiteUpdated)
        assert {s.code: s.name for s in event.snapshot.services}["DD"] == "Đất đai – Nhà ở"
        exported = motcua("site", "export", "--data-dir", str(data_dir))
        assert exported.returncode == 0, exported.stderr
        server.stop_cleanly()
    assert 'name = "Đất đai – Nhà ở"' in exported.stdout
    assert _body(page_export) == _body(exported.stdout)
    assert "web:admin" in audit
