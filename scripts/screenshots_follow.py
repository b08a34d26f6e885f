"""Regenerate the phone follow page's screenshots in docs/img/.

    .venv/bin/python scripts/screenshots_follow.py

A real server (the test centre, at 09:00 on a Monday), one ticket waiting behind two
others, then served: the page a citizen's phone shows from the ticket's QR code, waiting,
with the rating form, and after the rating, in headless Chromium at a phone's size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from queue_client import QueueClient  # noqa: E402
from queue_core.clock import FrozenClock  # noqa: E402
from tests.helpers.chromium import Chromium, find_chromium  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402
from tests.server.conftest import MONDAY_9AM, prepare_data_dir  # noqa: E402

OUT = ROOT / "docs" / "img"


def shoot(browser: Chromium, url: str, name: str) -> None:
    browser.navigate(url)
    browser.wait_for("document.readyState === 'complete'")
    browser.evaluate("document.fonts.ready.then(() => true)")
    time.sleep(0.3)
    browser.screenshot(OUT / name)
    print(OUT / name)


def main() -> None:
    if find_chromium() is None:
        sys.exit("chromium is not installed (scripts/system-deps installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    clock = FrozenClock(MONDAY_9AM)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch) / "data"
        tokens = prepare_data_dir(data_dir, now=clock.now())
        server = LiveServer(data_dir, clock=clock)
        server.start()
        try:
            with QueueClient(server.url, tokens["kiosk"]) as kiosk:
                for _ in range(2):
                    kiosk.issue("TP")
                mine = kiosk.issue("TP")
            page = f"{server.url}/t/{mine.follow_code}"
            with Chromium(width=390, height=760) as phone:
                shoot(phone, page, "follow-waiting.png")
                bearer = {"Authorization": f"Bearer {tokens['lan']}"}
                with httpx.Client(base_url=server.url, headers=bearer) as lan:
                    for _ in range(3):
                        lan.post("/api/counters/1/call-next")
                        clock.advance(minutes=4)
                    lan.post(f"/api/tickets/{mine.id}/complete")
                shoot(phone, page, "follow-rating.png")
                phone.evaluate("document.querySelector('form.rate button[value=\"3\"]').click()")
                phone.wait_for("document.body && document.body.innerText.includes('Xin cảm ơn')")
                shoot(phone, page, "follow-thanks.png")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
