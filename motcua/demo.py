"""`motcua demo`: a hall that visibly works, for a newcomer's first five minutes.

It serves the sample commune centre (with its issuing hours lifted, so the demo
works at any hour), then plays citizens taking numbers and clerks calling,
completing and rating them, over the real HTTP API, and prints every event the
server publishes, in Vietnamese. Where a screen exists the three apps run under the
supervisor, which restarts one that dies or freezes; the narration says so.

Each run keeps what it made in a folder of its own, `DATA_DIR/runs/YYYYMMDD-HHMMSS/`: the
printed tickets, each app's log, the server's log. The console carries only the narration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import click
import httpx

from motcua.supervisor import AppSpec, Restart, Supervisor
from printer_drivers import EscposPrinter, PrinterError, TicketContent
from printer_drivers.emulator import TcpEmulator, VirtualPrinter
from queue_core.estimate import wait_words
from queue_core.model import CounterState
from queue_core.numbering import DEFAULT_TIMEZONE, local_time
from queue_core.protocol import (
    FOLLOW_CODE_HEADER,
    CounterUpdated,
    Event,
    TicketCalled,
    TicketCompleted,
    TicketIssued,
    TicketNoShow,
    TicketOut,
    TicketRated,
    TicketRecalled,
    TicketTransferred,
)
from queue_core.site import SiteConfig
from queue_server.app import create_app
from queue_server.auth import Role, add_device, add_user, issue_user_token, new_device_token
from queue_server.database import DataDirInUse, lock_data_dir, read_site
from queue_server.serve import make_server
from queue_server.settings import Settings
from queue_server.state import AppState
from queue_server.store import Store, connect

DEMO_KIOSK = "Kiosk sảnh (demo)"
DEMO_DISPLAY = "Màn hình sảnh (demo)"
# The demo's clerks sign in with it at the counter app (never a real centre's password).
DEMO_PASSWORD = "demo1234"
DEMO_ADMIN = "demo.admin"
# With a screen, counter 1 is left to whoever sits at the counter app.
HUMAN_COUNTER = 1
DEMO_CLERKS = (
    ("demo.lan", "Nguyễn Thị Lan"),
    ("demo.hung", "Trần Văn Hùng"),
    ("demo.mai", "Phạm Thị Mai"),
    ("demo.tuan", "Lê Anh Tuấn"),
    ("demo.hoa", "Đỗ Thị Hoa"),
    ("demo.nam", "Vũ Hoài Nam"),
    ("demo.linh", "Hoàng Khánh Linh"),
    ("demo.quang", "Bùi Văn Quang"),
)


def demo_site() -> SiteConfig:
    """The sample site with every issuing window lifted."""
    site = read_site(None)
    services = [s.model_copy(update={"hours": None}) for s in site.services]
    return site.model_copy(
        update={"site": site.site.model_copy(update={"hours": None}), "services": services}
    )


@dataclass(frozen=True, slots=True)
class DemoTokens:
    kiosk: str
    display: str
    clerks: dict[int, str]  # a signed-in clerk per counter
    timezone: str  # the site's


def _device_token(store: Store, name: str, kind: Role, now: datetime) -> str:
    found = store.device_by_name(name)
    if found is None:
        return add_device(store, name, kind, now)[1]
    return new_device_token(store, found.id, now)


def _prepare(data_dir: Path) -> DemoTokens:
    """Make the demo data dir: the site, a kiosk, a board, and a clerk per counter."""
    store = connect(data_dir)
    store.migrate()
    now = datetime.now(UTC)
    with store.transaction():
        site = store.site()
        if site is None:
            site = demo_site()
            store.save_site(site)
        kiosk = _device_token(store, DEMO_KIOSK, Role.KIOSK, now)
        display = _device_token(store, DEMO_DISPLAY, Role.DISPLAY, now)
        clerks: dict[int, str] = {}
        for counter, (username, name) in zip(store.counters(), DEMO_CLERKS, strict=False):
            if store.user(username) is None:
                add_user(store, username, DEMO_PASSWORD, Role.CLERK, name, now)
            clerks[counter.number], _ = issue_user_token(store, username, now, 12 * 3600)
        if store.user(DEMO_ADMIN) is None:  # for the admin pages, /admin
            add_user(store, DEMO_ADMIN, DEMO_PASSWORD, Role.ADMIN, "Quản trị (demo)", now)
    store.close()
    return DemoTokens(kiosk, display, clerks, site.site.timezone)


def screen_available(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


# The apps as the narration names them.
APP_NAMES_VI = {"display": "Màn hình sảnh", "kiosk": "Kiosk lấy số", "counter": "Ứng dụng quầy"}


def launch_apps(
    base: str,
    tokens: DemoTokens,
    printer_url: str,
    run_dir: Path,
    timezone: str,
    on_restart: Callable[[Restart], None] | None = None,
) -> Supervisor:
    """The three apps in windows of their own, as a centre would run them, kept running by
    a supervisor; each app's output goes to `run_dir/NAME.log`, not to the console."""
    motcua = [sys.executable, "-m", "queue_server"]
    # The apps stamp their log lines in local time: the site's, like the narration.
    env = {"TZ": timezone}
    apps = [
        AppSpec(
            "display",
            [*motcua, "display", "--server", base, "--token", tokens.display, "--windowed"],
            env,
        ),
        AppSpec(
            "kiosk",
            [
                *motcua,
                "kiosk",
                "--server",
                base,
                "--token",
                tokens.kiosk,
                "--printer",
                printer_url,
                "--windowed",
            ],
            env,
        ),
        AppSpec(
            "counter",
            [*motcua, "counter", "--server", base, "--counter", str(HUMAN_COUNTER), "--windowed"],
            env,
        ),
    ]
    supervisor = Supervisor(apps, run_dir, on_restart=on_restart)
    supervisor.start()
    return supervisor


def describe_restart(restart: Restart, timezone: ZoneInfo) -> str:
    """The narration's line for an app that died and is being restarted."""
    at = f"{datetime.now(timezone):%H:%M:%S}"
    name = APP_NAMES_VI.get(restart.app, restart.app)
    line = (
        f"{at}  ⚠ {name} đã dừng ({restart.death.vietnamese}) — "
        f"khởi động lại sau {restart.delay_s:.0f} giây"
        if restart.delay_s >= 1
        else f"{at}  ⚠ {name} đã dừng ({restart.death.vietnamese}) — đang khởi động lại"
    )
    if restart.cause is not None:
        line += f"\n          {restart.cause}"
    return line


def wait_phrase(minutes: int | None) -> str:
    """The estimate as the narration says it, worded as the printed ticket words it."""
    if minutes is None:
        return "chưa ước tính được thời gian chờ"
    return wait_words(minutes)


def follow_url(base_url: str | httpx.URL, ticket: TicketOut) -> str:
    """The ticket's public follow page, the address in its QR code: the one place the
    demo builds it (joined as a URL, so the base's trailing slash never matters). By its
    unguessable follow code, as a kiosk prints it; by id only for a server without codes."""
    return str(httpx.URL(str(base_url)).join(f"/t/{ticket.follow_code or ticket.id}"))


_STATE_VI = {CounterState.OPEN: "mở", CounterState.PAUSED: "tạm ngưng", CounterState.CLOSED: "đóng"}


def describe(event: Event, timezone: str = DEFAULT_TIMEZONE) -> str | None:
    """One line of Vietnamese for the console, at the site's time."""
    at = f"{local_time(event.at, timezone):%H:%M:%S}"
    match event:
        case TicketIssued(ticket=t):
            kind = " (ưu tiên)" if t.priority else ""
            return (
                f"{at}  🎫 Lấy số {t.number}{kind} — {t.service_name}: "
                f"{t.waiting_ahead} người chờ trước, {wait_phrase(t.estimated_wait_minutes)}"
            )
        case TicketCalled(ticket=t, counter=c):
            return f"{at}  📣 Mời công dân có số thứ tự {t.number} đến quầy số {c}"
        case TicketRecalled(ticket=t, counter=c):
            return f"{at}  📣 Gọi lại số {t.number} đến quầy số {c} (lần {t.recalls})"
        case TicketCompleted(ticket=t, counter=c):
            return f"{at}  ✅ Quầy {c} hoàn thành số {t.number}"
        case TicketNoShow(ticket=t, counter=c):
            return f"{at}  ⌛ Số {t.number} vắng mặt tại quầy {c}"
        case TicketTransferred(ticket=t):
            return f"{at}  ↪ Số {t.number} chuyển sang {t.service_name}"
        case TicketRated(ticket=t, score=score):
            return f"{at}  ⭐ Số {t.number} đánh giá {score} điểm"
        case CounterUpdated(counter=c):
            clerk = f" — {c.clerk}" if c.clerk else ""
            return f"{at}  🪟 {c.name}: {_STATE_VI[c.state]}{clerk}"
    return None


class Simulation:
    """Citizens arriving and clerks working, at `pace` actions per second.

    The simulated kiosk prints every ticket on `printer` (the virtual printer), through
    the same ESC/POS path a real kiosk uses.
    """

    def __init__(
        self,
        base_url: str,
        kiosk: str,
        clerks: dict[int, str],
        pace: float,
        printer: EscposPrinter,
        site: SiteConfig,
    ) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10)
        self.kiosk = {"Authorization": f"Bearer {kiosk}"}
        self.clerks = {n: {"Authorization": f"Bearer {t}"} for n, t in clerks.items()}
        self.pace = pace
        self.rng = random.Random(1005)
        self.completed: list[int] = []
        self.printer = printer
        self.site = site

    async def print_ticket(self, ticket: TicketOut) -> None:
        content = TicketContent.from_ticket(
            ticket,
            site_name=self.site.site.name,
            agency=self.site.site.agency,
            counters=self.site.counters,
            qr_url=follow_url(self.http.base_url, ticket),
        )
        try:
            await asyncio.to_thread(self.printer.print_ticket, content)
        except PrinterError as exc:
            click.echo(f"  (máy in ảo: {exc})")

    async def run(self) -> None:
        services = [
            s["code"] for s in (await self.http.get("/api/services", headers=self.kiosk)).json()
        ]
        # Land and civil status draw the crowds, as in most commune centres.
        weights = [5 if code in ("DD", "TP") else 2 for code in services]
        while True:
            await asyncio.sleep(1 / self.pace)
            roll = self.rng.random()
            if roll < 0.45:
                service = self.rng.choices(services, weights)[0]
                response = await self.http.post(
                    "/api/tickets",
                    json={"service": service, "priority": self.rng.random() < 0.1},
                    headers=self.kiosk,
                )
                if response.status_code == 201:
                    ticket = TicketOut.model_validate_json(response.content)
                    code = response.headers.get(FOLLOW_CODE_HEADER)
                    await self.print_ticket(ticket.model_copy(update={"follow_code": code}))
            elif roll < 0.9:
                number, headers = self.rng.choice(list(self.clerks.items()))
                if self.rng.random() < 0.08:
                    await self.http.post(f"/api/counters/{number}/recall", headers=headers)
                    continue
                response = await self.http.post(
                    f"/api/counters/{number}/call-next", headers=headers
                )
                if response.status_code == 200:
                    self.completed.append(response.json()["id"])
            elif self.completed:
                ticket_id = self.completed.pop(0)
                score = self.rng.choices([3, 2, 1], [7, 2, 1])[0]
                await self.http.post(
                    "/api/ratings",
                    json={"ticket_id": ticket_id, "score": score},
                    headers=self.kiosk,
                )


class DemoBusy(click.ClickException):
    """Another demo (or server) already holds the port or the data directory."""

    exit_code = 2

    def show(self, file: IO[str] | None = None) -> None:
        click.echo(self.message, err=True)


@contextlib.contextmanager
def check_free(data_dir: Path, host: str, port: int) -> Iterator[None]:
    """Fail at once, before anything is touched, when the port or `data_dir` is taken.

    A second demo used to revoke the running one's device tokens before it found the
    port busy; so this comes first, and the lock it takes on `data_dir` is held for the
    whole run (released by the system even if the demo is killed).
    """
    try:
        # The server's own lock: a demo and a server on one directory exclude each other.
        lock = lock_data_dir(data_dir)
    except DataDirInUse:
        raise DemoBusy(
            f"motcua demo: thư mục {data_dir} đang được dùng (một bản demo hoặc máy chủ khác)"
            f" / {data_dir} is in use by another demo or server"
        ) from None
    with lock:
        if port != 0:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family) as probe:
                # As uvicorn binds: a port only in TIME_WAIT is free, a listening one is not.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((host, port))
                except OSError:
                    raise DemoBusy(
                        f"motcua demo: cổng {host}:{port} đang bận (có thể một bản demo khác"
                        f" đang chạy) / port {port} is in use"
                    ) from None
        yield


class _SiteTimeFormatter(logging.Formatter):
    """Log times in the site's timezone, the clock the narration and the tickets use."""

    def __init__(self, fmt: str, timezone: ZoneInfo) -> None:
        super().__init__(fmt)
        self._timezone = timezone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        at = datetime.fromtimestamp(record.created, self._timezone)
        return f"{at:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d}"


def _log_to(run_dir: Path, timezone: ZoneInfo) -> list[logging.Handler]:
    """Send the demo process's log lines (server, libraries) to `run_dir/demo.log`.

    The console is the narration's: library lines (httpx's one per request, uvicorn's)
    drown it, so they go to the file; only errors reach the console too (the supervisor's
    warnings are narrated in its own words).
    """
    formatter = _SiteTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", timezone)
    handler = logging.FileHandler(run_dir / "demo.log", encoding="utf-8")
    handler.setFormatter(formatter)
    console = logging.StreamHandler()
    console.setLevel(logging.ERROR)
    console.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(console)
    root.setLevel(logging.INFO)
    # uvicorn installs its own console handlers: route its loggers through the ones above.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return [handler, console]


def new_run_dir(data_dir: Path, timezone: ZoneInfo) -> Path:
    """`DATA_DIR/runs/YYYYMMDD-HHMMSS` (site time), a folder no earlier run used."""
    stamp = f"{datetime.now(timezone):%Y%m%d-%H%M%S}"
    run_dir = data_dir / "runs" / stamp
    suffix = 1
    while run_dir.exists():
        suffix += 1
        run_dir = data_dir / "runs" / f"{stamp}-{suffix}"
    run_dir.mkdir(parents=True)
    return run_dir


def run_demo(
    data_dir: Path, host: str, port: int, duration: float | None, pace: float, apps: bool | None
) -> None:
    """Serve the demo hall; `apps` None starts the apps only when a screen exists."""
    with check_free(data_dir, host, port):
        _run_demo(data_dir, host, port, duration, pace, apps)


def _run_demo(
    data_dir: Path, host: str, port: int, duration: float | None, pace: float, apps: bool | None
) -> None:
    tokens = _prepare(data_dir)
    timezone = ZoneInfo(tokens.timezone)
    run_dir = new_run_dir(data_dir, timezone)
    with_apps = screen_available(os.environ) if apps is None else apps
    app = create_app(Settings(data_dir=data_dir, host=host, port=port))
    server = make_server(app, host, port)
    handlers = _log_to(run_dir, timezone)  # after uvicorn has set its loggers up

    async def main() -> None:
        serving = asyncio.create_task(server.serve())
        while server.bound_port is None:
            if serving.done():
                return
            await asyncio.sleep(0.05)
        state: AppState = app.state.motcua
        state.hub.subscribe(lambda event, _text: _echo(describe(event, tokens.timezone)))
        base = f"http://{host}:{server.bound_port}"
        click.echo(f"motcua demo: {state.service.site.site.name}")
        click.echo(f"  Trang chủ (home): {base}/")
        click.echo(f"  Quản trị (admin pages): {base}/admin ({DEMO_ADMIN} / {DEMO_PASSWORD})")
        click.echo(f"  API và tài liệu (API docs): {base}/docs")
        click.echo(f"  Màn hình web (web display board): {base}/display?token={tokens.display}")
        click.echo(f"  Kiosk token: {tokens.kiosk}")
        printer_dir = run_dir / "printer"
        emulator = TcpEmulator(VirtualPrinter(out_dir=printer_dir))
        click.echo(f"  Máy in ảo (virtual printer): {emulator.url} → {printer_dir}/ticket-*.png")
        click.echo(f"  Nhật ký (logs): {run_dir}/*.log")
        clerks = dict(tokens.clerks)
        supervisor: Supervisor | None = None
        if with_apps:
            clerks.pop(HUMAN_COUNTER, None)
            supervisor = launch_apps(
                base,
                tokens,
                emulator.url,
                run_dir,
                tokens.timezone,
                on_restart=lambda restart: click.echo(describe_restart(restart, timezone)),
            )
            username = DEMO_CLERKS[HUMAN_COUNTER - 1][0]
            click.echo(
                f"  Ứng dụng quầy (counter app): quầy {HUMAN_COUNTER}, "
                f"đăng nhập {username} / {DEMO_PASSWORD}"
            )
        else:
            click.echo("  (không có màn hình: chạy không kèm ứng dụng — no screen, no apps)")
        click.echo("  Ctrl-C để dừng (to stop).")
        printer = EscposPrinter(emulator.url)
        simulation = Simulation(base, tokens.kiosk, clerks, pace, printer, state.service.site)
        playing = asyncio.create_task(simulation.run())
        if duration is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(serving), duration)
            server.should_exit = True
        await serving
        playing.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await playing
        await simulation.http.aclose()
        if supervisor is not None:
            await asyncio.to_thread(supervisor.stop)
        printer.close()
        emulator.close()

    try:
        asyncio.run(main())
    finally:
        for added in handlers:
            logging.getLogger().removeHandler(added)
            added.close()


def _echo(line: str | None) -> None:
    if line is not None:
        click.echo(line)
