"""`motcua counter …` with a clerk at the keyboard: for `soak.py`.

The counter client asks a human for a password, and an offscreen window takes no
keystrokes from outside. This runs the very same command (`counter_client.cli`) in
this process, after making the QApplication itself so that a timer can play the
clerk: type the username and the password (from `MOTCUA_BENCH_PASSWORD`, never on
the command line) into the sign-in page's own fields, press its button, then open the
preselected counter (`--counter N`) with the counter page's own button, as a clerk
does each morning. From then on it is the unmodified app.

Run: `python bench/_counter_clerk.py USERNAME -- motcua counter's options…`
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from counter_client import cli
from counter_client.window import CounterWindow

PASSWORD_ENV = "MOTCUA_BENCH_PASSWORD"
POLL_MS = 200
RETRY_S = 5.0


class Clerk:
    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.typed_at = -RETRY_S
        self.opened = False
        self.timer = QTimer(interval=POLL_MS)
        self.timer.timeout.connect(self.step)

    def step(self) -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, CounterWindow)]
        if not windows:
            return
        window = windows[0]
        page = window.stack.currentWidget()
        if window.desk is not None:
            self.timer.stop()  # at the desk: the clerk's part here is done
            print("bench clerk: signed in and at the desk", flush=True)
        elif page is window.sign_in_page:
            if time.monotonic() - self.typed_at >= RETRY_S:  # once, or again if refused
                window.sign_in_page.username.setText(self.username)
                window.sign_in_page.password.setText(self.password)
                window.sign_in_page.submit.click()
                self.typed_at = time.monotonic()
        elif (
            page is window.counter_page
            and window.counter_page.open_button.isEnabled()
            and not self.opened
        ):
            window.counter_page.open_button.click()
            self.opened = True


def main() -> None:
    username, rest = sys.argv[1], sys.argv[3:]  # argv[2] is "--"
    password = os.environ.pop(PASSWORD_ENV)
    app = QApplication(sys.argv[:1])  # the command uses this one (`instance() or …`)
    clerk = Clerk(username, password)
    clerk.timer.start()
    cli.command.main(rest, prog_name="motcua counter")
    del app


if __name__ == "__main__":
    main()
