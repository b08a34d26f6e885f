"""Headless Chromium driven over the DevTools protocol, with nothing but `websockets`.

For the web display's end-to-end test and its screenshot: open a page, evaluate
JavaScript in it, capture it as PNG.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

EXECUTABLES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page.

    Args:
        executable: the browser; `find_chromium()` when None.
        width, height: the page's viewport in CSS pixels.
        extra_flags: e.g. `--autoplay-policy=no-user-gesture-required`.
    """

    def __init__(
        self,
        executable: str | None = None,
        width: int = 1920,
        height: int = 1080,
        extra_flags: tuple[str, ...] = (),
    ) -> None:
        found = executable or find_chromium()
        if found is None:
            raise FileNotFoundError("chromium is not installed")
        self.executable = found
        self.width, self.height = width, height
        self.extra_flags = extra_flags
        self._ids = itertools.count(1)
        self._stack = contextlib.ExitStack()
        self._process: subprocess.Popen[bytes] | None = None
        self._page: ClientConnection | None = None

    def __enter__(self) -> Chromium:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def _start(self) -> None:
        profile = Path(tempfile.mkdtemp(prefix="motcua-chromium-"))
        self._stack.callback(_remove, profile)
        self._process = subprocess.Popen(
            [
                self.executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--window-size={self.width},{self.height}",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                *self.extra_flags,
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._stack.callback(self._end, self._process)
        port = self._port(profile / "DevToolsActivePort")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t["type"] == "page")
        self._page = self._stack.enter_context(
            connect(page["webSocketDebuggerUrl"], max_size=64 * 2**20)
        )
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _port(self, active_port: Path, timeout_s: float = 20.0) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError("chromium exited at start")
            text = active_port.read_text() if active_port.is_file() else ""
            if text.strip():
                return int(text.splitlines()[0])
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.close()

    @staticmethod
    def _end(process: subprocess.Popen[bytes]) -> None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result (events that come meanwhile are dropped)."""
        assert self._page is not None
        ident = next(self._ids)
        self._page.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._page.recv(timeout=30))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 10.0, interval_s: float = 0.01) -> Any:
        """Poll `expression` until it is truthy; its value."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout_s} s: {expression}")
            time.sleep(interval_s)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


def _remove(folder: Path) -> None:
    # Chromium's helper processes may still be writing there for a moment after it exits.
    for _ in range(50):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.1)
