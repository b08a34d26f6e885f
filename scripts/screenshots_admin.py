"""Regenerate the screenshots of the admin pages and the landing page in docs/img/.

    .venv/bin/python scripts/screenshots_admin.py

A real server on the bundled sample site with a few staff and devices (two of them
heard from: one kiosk's printer near its paper's end), a failed-sign-in lock-out, and
a few changes made through the pages themselves so that the audit log has lines; an
administrator signed in with the form, in headless Chromium at 1366 px wide (the
services page at a tablet's 820 px too).
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_server.auth import Role, add_device, add_user  # noqa: E402
from queue_server.database import open_store  # noqa: E402
from tests.helpers.chromium import Chromium, find_chromium  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402

OUT = ROOT / "docs" / "img"
SITE = ROOT / "queue_server" / "sample_site.toml"
PASSWORD = "mat-khau-quan-tri"
STAFF = (
    ("quantri", Role.ADMIN, "Nguyễn Văn Quản Trị"),
    ("giamsat", Role.SUPERVISOR, "Lê Minh Giám Sát"),
    ("lan", Role.CLERK, "Nguyễn Thị Lan"),
    ("hung", Role.CLERK, "Trần Văn Hùng"),
)


def prepare(data_dir: Path) -> dict[str, str]:
    store = open_store(data_dir, SITE)
    now = datetime.now(UTC)
    tokens = {}
    with store.transaction():
        for username, role, name in STAFF:
            add_user(store, username, PASSWORD, role, name, now)
        for name, kind, counter in (
            ("kiosk-sanh-1", Role.KIOSK, None),
            ("kiosk-sanh-2", Role.KIOSK, None),
            ("tv-sanh-chinh", Role.DISPLAY, None),
            ("danh-gia-quay-1", Role.RATING, 1),
        ):
            _, tokens[name] = add_device(store, name, kind, now, counter)
    store.close()
    return tokens


def settle(browser: Chromium, expression: str) -> None:
    browser.settle(f"document.readyState === 'complete' && ({expression})", 30, 0.05)
    browser.evaluate("document.fonts.ready.then(() => true)")


def submit(browser: Chromium, form: str, values: dict[str, str], button: str = "button") -> None:
    browser.evaluate(
        f"""(() => {{
            const form = document.querySelector({json.dumps(form)});
            for (const [name, value] of Object.entries({json.dumps(values)})) {{
                form.querySelector(`[name="${{name}}"]`).value = value;
            }}
            form.querySelector({json.dumps(button)}).click();
        }})()"""
    )


def shoot(browser: Chromium, name: str, max_height: int = 2000) -> None:
    """The whole page (up to `max_height` px), not just the window."""
    height = min(int(browser.evaluate("document.documentElement.scrollHeight")), max_height)
    data = browser.call(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": browser.width, "height": height, "scale": 1},
    )["data"]
    path = OUT / f"{name}.png"
    path.write_bytes(base64.b64decode(data))
    print(path)


def main() -> None:
    if find_chromium() is None:
        sys.exit("chromium is not installed (scripts/system-deps installs it)")
    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as folder:
        data_dir = Path(folder)
        tokens = prepare(data_dir)
        live = LiveServer(data_dir)
        live.start()
        try:
            with httpx.Client(base_url=live.url) as client:
                kiosk = {"Authorization": f"Bearer {tokens['kiosk-sanh-1']}"}
                client.post(
                    "/api/devices/heartbeat",
                    json={"printer": "ok", "version": "2.0"},
                    headers=kiosk,
                )
                client.post(
                    "/api/devices/heartbeat",
                    json={"printer": "paper-near-end", "version": "2.0"},
                    headers={"Authorization": f"Bearer {tokens['kiosk-sanh-2']}"},
                )
                services = client.get("/api/services", headers=kiosk).json()
                for service in services[:3]:
                    client.post("/api/tickets", json={"service": service["code"]}, headers=kiosk)
                for _ in range(5):
                    client.post("/api/auth/token", data={"username": "hung", "password": "sai"})
            with Chromium(width=1366, height=768) as browser:
                browser.navigate(f"{live.url}/")
                settle(browser, "document.querySelector('.landing') !== null")
                shoot(browser, "admin-landing")
                browser.navigate(f"{live.url}/admin")
                settle(browser, "document.querySelector('input[name=password]') !== null")
                submit(
                    browser,
                    'form[action="/sign-in"]',
                    {"username": "quantri", "password": PASSWORD},
                )
                settle(browser, "document.querySelector('#service-form') !== null")
                # A change made through the pages, for the preview and the audit log.
                submit(
                    browser,
                    "#service-form",
                    {"code": "HN", "name": "Hôn nhân – Gia đình", "prefix": "B"},
                    "button[type=submit]",
                )
                settle(browser, "document.querySelector('ul.plan, .error') !== null")
                shoot(browser, "admin-preview")
                browser.evaluate(
                    "document.querySelector('form[action=\"/admin/site/apply\"] button').click()"
                )
                settle(browser, "document.querySelector('.done') !== null")
                browser.navigate(f"{live.url}/admin?service=HN")
                settle(browser, "document.querySelector('#service-form') !== null")
                shoot(browser, "admin-services")
                browser.navigate(f"{live.url}/admin/settings")
                settle(browser, "document.querySelector('textarea') !== null")
                shoot(browser, "admin-settings")
                browser.navigate(f"{live.url}/admin/staff")
                settle(browser, "document.querySelector('table') !== null")
                submit(
                    browser,
                    'form[action="/admin/staff"]:has(button[value=reset])',
                    {"username": "lan"},
                    "button[value=reset]",
                )
                settle(browser, "document.querySelector('.secret') !== null")
                shoot(browser, "admin-staff")
                browser.navigate(f"{live.url}/admin/devices")
                settle(browser, "document.querySelector('table') !== null")
                submit(
                    browser,
                    'form[action="/admin/devices"].card',
                    {"name": "kiosk-tang-2", "kind": "kiosk"},
                )
                settle(browser, "document.querySelector('img.qr') !== null")
                shoot(browser, "admin-devices")
                browser.navigate(f"{live.url}/admin/audit")
                settle(browser, "document.querySelector('#audit') !== null")
                shoot(browser, "admin-audit")
                browser.navigate(f"{live.url}/admin/site")
                settle(browser, "document.querySelector('input[type=file]') !== null")
                shoot(browser, "admin-import-export")
            with Chromium(width=820, height=1180) as tablet:
                tablet.navigate(f"{live.url}/admin")
                settle(tablet, "document.querySelector('input[name=password]') !== null")
                submit(
                    tablet, 'form[action="/sign-in"]', {"username": "quantri", "password": PASSWORD}
                )
                settle(tablet, "document.querySelector('#service-form') !== null")
                shoot(tablet, "admin-services-tablet", 1180)
        finally:
            live.stop()


if __name__ == "__main__":
    main()
