"""Regenerate the live supervision page's screenshots in docs/img/.

    .venv/bin/python scripts/screenshots_supervisor.py

A real server on the bundled sample site with a frozen clock, a morning played through
the API (citizens taking numbers, seven clerks calling and serving, one counter paused,
one sent to help the land office, a service's issuing closed early, a kiosk's paper near
its end), and a supervisor signed in with the form in headless Chromium at 1366×768:
`supervisor.png` (Vietnamese) and `supervisor-en.png` (the English switch). The reports
page and its A4 printout come from `scripts/screenshots_reports.py`.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_core.clock import FrozenClock  # noqa: E402
from queue_server.auth import Role, add_device, add_user  # noqa: E402
from queue_server.database import open_store  # noqa: E402
from tests.helpers.chromium import Chromium, find_chromium  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402

OUT = ROOT / "docs" / "img"
SITE = ROOT / "queue_server" / "sample_site.toml"
PASSWORD = "mat-khau-giam-sat"
CLERKS = {
    1: ("lan", "Nguyễn Thị Lan"),
    2: ("hung", "Trần Văn Hùng"),
    3: ("mai", "Phạm Thị Mai"),
    4: ("tuan", "Đỗ Minh Tuấn"),
    5: ("hoa", "Vũ Thị Hoa"),
    6: ("nam", "Bùi Văn Nam"),
    7: ("linh", "Hoàng Thùy Linh"),
}
# Monday 23 November 2026, 07:30 in Hà Nội: the hall opens.
OPENING = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
DEMAND = ["TP"] * 6 + ["DD"] * 7 + ["LD"] * 2 + ["XD", "KD", "KD", "CA", "CA", "CA", "TN", "KQ"]


def prepare(data_dir: Path) -> dict[str, str]:
    """Users and devices; returns the devices' tokens by name."""
    store = open_store(data_dir, SITE)
    now = OPENING
    tokens = {}
    with store.transaction():
        for username, name in CLERKS.values():
            add_user(store, username, PASSWORD, Role.CLERK, name, now)
        add_user(store, "giamsat", PASSWORD, Role.SUPERVISOR, "Lê Minh Giám Sát", now)
        for name in ("Kiosk sảnh A", "Kiosk sảnh B"):
            _, tokens[name] = add_device(store, name, Role.KIOSK, now)
        _, tokens["Màn hình chính"] = add_device(store, "Màn hình chính", Role.DISPLAY, now)
    store.close()
    return tokens


def play_morning(client: httpx.Client, clock: FrozenClock, devices: dict[str, str]) -> None:
    rng = random.Random(14)
    staff = {}
    for username, _ in CLERKS.values():
        answer = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
        staff[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    kiosk = {"Authorization": f"Bearer {devices['Kiosk sảnh A']}"}
    boss = client.post("/api/auth/token", data={"username": "giamsat", "password": PASSWORD})
    supervisor = {"Authorization": f"Bearer {boss.json()['access_token']}"}

    def heartbeat(name: str, printer: str) -> None:
        auth = {"Authorization": f"Bearer {devices[name]}"}
        client.post("/api/devices/heartbeat", json={"printer": printer}, headers=auth)

    for minute in range(135):  # 07:30 → 09:45
        for _ in range(rng.choice((0, 1, 1, 2))):
            client.post(
                "/api/tickets",
                json={"service": rng.choice(DEMAND), "priority": rng.random() < 0.1},
                headers=kiosk,
            )
        for number, (username, _) in CLERKS.items():
            # Counter 3 (land, environment) is slow this morning; the others keep up.
            every = 14 if number == 3 else 6
            if minute > 5 and (minute + number) % every == 0:
                client.post(f"/api/counters/{number}/call-next", headers=staff[username])
        if minute % 20 == 0:
            for name in ("Kiosk sảnh A", "Kiosk sảnh B", "Màn hình chính"):
                heartbeat(name, "ok")
        clock.advance(minutes=1)
    heartbeat("Kiosk sảnh A", "ok")
    heartbeat("Kiosk sảnh B", "paper-near-end")
    heartbeat("Màn hình chính", "ok")
    client.post("/api/counters/5/pause", json={"reason": "Họp giao ban"}, headers=staff["hoa"])
    client.post("/api/counters/1/help", json={"service": "DD"}, headers=supervisor)
    client.post("/api/services/NN/close-today", headers=supervisor)


def shoot(browser: Chromium, url: str, language: str, path: Path) -> None:
    browser.navigate(f"{url}/lang/{language}?next=/supervisor")
    browser.wait_for("document.getElementById('link') !== null", timeout_s=30)
    browser.wait_for("document.getElementById('link').dataset.state === 'live'", timeout_s=30)
    browser.evaluate("document.fonts.ready.then(() => true)")
    browser.screenshot(path)
    print(path)


def main() -> None:
    if find_chromium() is None:
        sys.exit("chromium is not installed (scripts/system-deps installs it)")
    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as folder:
        data_dir = Path(folder)
        devices = prepare(data_dir)
        clock = FrozenClock(OPENING)
        live = LiveServer(data_dir, clock)
        live.start()
        try:
            with httpx.Client(base_url=live.url, timeout=30) as client:
                play_morning(client, clock, devices)
            with Chromium(width=1366, height=768) as browser:
                browser.navigate(f"{live.url}/supervisor")
                browser.wait_for("document.querySelector('input[name=\"password\"]') !== null")
                browser.evaluate(
                    f"""(() => {{
                        document.querySelector('input[name="username"]').value = 'giamsat';
                        document.querySelector('input[name="password"]').value = '{PASSWORD}';
                        document.querySelector('form[action="/sign-in"] button').click();
                    }})()"""
                )
                browser.wait_for("document.getElementById('link') !== null", timeout_s=30)
                shoot(browser, live.url, "vi", OUT / "supervisor.png")
                shoot(browser, live.url, "en", OUT / "supervisor-en.png")
                browser.navigate(f"{live.url}/lang/vi?next=/supervisor")
        finally:
            live.stop()


if __name__ == "__main__":
    main()
