"""Regenerate the reports page's screenshot and its A4 printout in docs/img/.

    .venv/bin/python scripts/screenshots_reports.py

A real server on a database holding the last 30 days of a commune centre (simulated
through the store by bench/reports.py's filler: a busy morning, a lunch dip, no-shows,
ratings), a supervisor signed in with the form, in headless Chromium: the page as it
shows (`reports.png`) and as Chromium prints it on A4 (`reports-print.pdf`, with its
first page as `reports-print-1.png` when pdftoppm is installed).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reports import CLERKS, SITE, fill  # noqa: E402
from queue_server.auth import Role, add_user  # noqa: E402
from queue_server.database import open_store  # noqa: E402
from tests.helpers.chromium import Chromium, find_chromium  # noqa: E402
from tests.helpers.live_server import LiveServer  # noqa: E402

OUT = ROOT / "docs" / "img"
PASSWORD = "mat-khau-giam-sat"


def main() -> None:
    if find_chromium() is None:
        sys.exit("chromium is not installed (scripts/system-deps installs it)")
    with tempfile.TemporaryDirectory(prefix="motcua-shots-") as folder:
        data_dir = Path(folder)
        (data_dir / "site.toml").write_text(SITE, encoding="utf-8")
        store = open_store(data_dir, data_dir / "site.toml")
        now = datetime.now(UTC)
        with store.transaction():
            for username, name in CLERKS.items():
                add_user(store, username, "x", Role.CLERK, name, now)
            add_user(store, "giamsat", PASSWORD, Role.SUPERVISOR, "Lê Minh Giám Sát", now)
        fill(store, 30, 320, seed=7)
        store.close()
        last = date.today() - timedelta(days=1)
        first = last - timedelta(days=29)
        live = LiveServer(data_dir)
        live.start()
        try:
            with Chromium(width=1280, height=1500) as browser:
                browser.navigate(f"{live.url}/reports?from={first}&to={last}")
                browser.wait_for("document.querySelector('input[name=\"password\"]') !== null")
                browser.evaluate(
                    f"""(() => {{
                        document.querySelector('input[name="username"]').value = 'giamsat';
                        document.querySelector('input[name="password"]').value = '{PASSWORD}';
                        document.querySelector('form[action="/sign-in"] button').click();
                    }})()"""
                )
                browser.wait_for("document.body && document.body.dataset.charts === '3'")
                browser.evaluate("document.fonts.ready.then(() => true)")
                browser.screenshot(OUT / "reports.png")
                print(OUT / "reports.png")
                pdf = browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)
                (OUT / "reports-print.pdf").write_bytes(base64.b64decode(pdf["data"]))
                print(OUT / "reports-print.pdf")
        finally:
            live.stop()
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(OUT / "reports-print.pdf"),
                str(OUT / "reports-print-1"),
            ],
            check=True,
        )
        print(OUT / "reports-print-1.png")


if __name__ == "__main__":
    main()
