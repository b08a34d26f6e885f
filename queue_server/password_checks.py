"""Where password checks run: worker threads at the lowest CPU priority.

An argon2 check (argon2-cffi's default profile) takes 64 MiB and runs four threads of
its own for ~50 ms of CPU; on the hall's 2-core server two checks at once took both
cores from the event loop, and a clerk's call-next waited up to 360 ms during a flood
of 40 wrong passwords. So checks run in their own small pool whose threads are `nice`
19 (Linux keeps nice per thread, and argon2's own threads inherit it): the scheduler
then gives the event loop, at nice 0, the core whenever it has work, and the checks
the rest. A check is slower only while the server is busy with the hall's requests.

How many checks run or wait at once is the sign-in throttle's business (`auth.py`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

NICE = 19  # the lowest priority an unprivileged process may give itself
WORKERS = 4  # a ceiling: the throttle's semaphore admits fewer (settings.login_concurrency)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _lower_priority() -> None:
    try:
        # On Linux `setpriority` of a thread id changes that thread alone.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError) as exc:  # another OS, or forbidden: checks still run
        log.warning("cannot lower the priority of password checks: %s", exc)


def _shared_pool() -> ThreadPoolExecutor:
    # One pool per process, made on the first sign-in: apps built by tests share it.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=WORKERS,
                thread_name_prefix="password-check",
                initializer=_lower_priority,
            )
        return _pool


async def run(check: Callable[[str, str], T], password_hash: str, password: str) -> T:
    """`check(password_hash, password)` in a low-priority worker thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_shared_pool(), check, password_hash, password)
