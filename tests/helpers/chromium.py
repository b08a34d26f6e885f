"""Headless Chromium for the pages' end-to-end tests and screenshots: Debian's `chromium`,
launched and driven by Playwright.

Playwright's own browsers are never downloaded (`playwright install` needs the internet,
which a centre's machines and CI lack): it launches the system Chromium by its path. The
tests speak to the page through a few words (`navigate`, `evaluate`, `wait_for`,
`screenshot`) and, where they need the browser's own protocol (an input event, a PDF, a
script run before every document), through `call`, a DevTools session Playwright opens.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from playwright.sync_api import Browser, CDPSession, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

EXECUTABLES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


# What DevTools answers an evaluation that a navigation overtook: the page it was asked of
# is gone, and the next one may not have its context yet.
_OVERTAKEN = (
    "Execution context was destroyed",
    "Inspected target navigated or closed",
    "Cannot find context with specified id",
)


class Navigating(RuntimeError):
    """An evaluation overtaken by a navigation: ask again once the next page is there."""


def find_chromium() -> str | None:
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


_driver: Playwright | None = None
_users = 0


def _playwright() -> Playwright:
    """The Playwright driver, shared by the browsers open at once: its sync API runs a loop
    of its own in this thread, so a second driver cannot start while a first is open (a
    module's browser beside a test's own), and an open one would stand in the way of
    `asyncio.run` in tests that come later. Stopped when its last browser closes."""
    global _driver, _users
    if _driver is None:
        _driver = sync_playwright().start()
    _users += 1
    return _driver


def _release() -> None:
    global _driver, _users
    _users -= 1
    if _users == 0 and _driver is not None:
        _driver.stop()
        _driver = None


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
        self._browser: Browser | None = None
        self._holds_driver = False
        self._page: Page | None = None
        self._session: CDPSession | None = None

    def __enter__(self) -> Chromium:
        driver = _playwright()
        self._holds_driver = True
        try:
            self._browser = driver.chromium.launch(
                executable_path=self.executable,
                headless=True,
                args=["--disable-gpu", "--hide-scrollbars", *self.extra_flags],
            )
            self._page = self._browser.new_page(
                viewport={"width": self.width, "height": self.height}, device_scale_factor=1
            )
            self._session = self._page.context.new_cdp_session(self._page)
            # What `call`'s commands act on (a script added for every new document needs
            # the page domain of this session on).
            self.call("Page.enable")
            self.call("Runtime.enable")
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._browser = self._page = self._session = None
            if self._holds_driver:
                self._holds_driver = False
                _release()

    @property
    def page(self) -> Page:
        """The Playwright page, for what the few words below do not say."""
        assert self._page is not None, "use Chromium as a context manager"
        return self._page

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command on the page; its result."""
        assert self._session is not None, "use Chromium as a context manager"
        result: dict[str, Any] = self._session.send(method, params)
        return result

    def navigate(self, url: str) -> None:
        """Open `url`; returns once the navigation is under way (`wait_for` what matters)."""
        self.page.goto(url, wait_until="commit")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited), in the page as it is,
        whatever navigation is under way: evaluated as the DevTools protocol evaluates it,
        so an expression may be several statements."""
        try:
            result = self.call(
                "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
            )
        except PlaywrightError as error:
            if any(words in error.message for words in _OVERTAKEN):
                raise Navigating(f"{expression}: {error.message}") from error
            raise
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 10.0, interval_s: float = 0.01) -> Any:
        """Poll `expression` until it is truthy; its value. A script error fails at once."""
        return self._poll(expression, timeout_s, interval_s, Navigating)

    def settle(self, expression: str, timeout_s: float = 30.0, interval_s: float = 0.02) -> Any:
        """Poll `expression` until it is truthy on the page a navigation leads to; its value.

        Unlike `wait_for`, a question that fails is asked again: between two pages a
        navigation overtakes it, and the next page's elements may not be there yet."""
        return self._poll(expression, timeout_s, interval_s, RuntimeError)

    def _poll(
        self, expression: str, timeout_s: float, interval_s: float, again: type[Exception]
    ) -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                value = self.evaluate(expression)
            except again:
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout_s} s: {expression}")
            time.sleep(interval_s)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))
