"""Which alerts should be active now: pure rules over what the server already knows.

An alert is keyed by its kind and its subject (a service code, or a device's name): at most
one of each is active at a time. The server asks `due_alerts` what should be active,
compares it with what is (`reconcile`), and raises or clears the difference, each with its
event in the log. Nothing here reads a clock or a database: the moment, the waits and the
devices' last word are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

AlertKind = Literal[
    "wait-over-target",
    "printer-paper-near-end",
    "printer-paper-out",
    "printer-offline",
    "device-offline",
]
ALERT_KINDS: tuple[AlertKind, ...] = get_args(AlertKind)

DEVICE_SILENCE_S = 90
"""A device unheard for this long is offline (the kiosk beats every few seconds)."""

AlertKey = tuple[str, str]  # (kind, subject)

# The printer states a kiosk reports (`queue_core.protocol.PrinterState`) that need a hand,
# and the alert each raises. A cover left open stops printing as surely as a cable pulled
# out, and the contract has no kind of its own for it: it is a printer offline, said so in
# the message. "ok" and "unknown" raise nothing.
_PRINTER_KINDS: dict[str, AlertKind] = {
    "paper-near-end": "printer-paper-near-end",
    "paper-out": "printer-paper-out",
    "offline": "printer-offline",
    "cover-open": "printer-offline",
}
_PRINTER_WORDS = {
    "paper-near-end": "sắp hết giấy, cần thay cuộn giấy mới",
    "paper-out": "hết giấy, không in được số",
    "offline": "mất kết nối, không in được số",
    "cover-open": "nắp máy đang mở, không in được số",
}


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: `id` 0 until the store keeps it."""

    kind: AlertKind
    subject: str
    message: str
    since: datetime
    id: int = 0

    @property
    def key(self) -> AlertKey:
        return (self.kind, self.subject)


@dataclass(frozen=True, slots=True)
class ServiceWait:
    """A service's longest wait: when its oldest waiting (never called) ticket was
    issued, None when nobody waits."""

    code: str
    name: str
    target_s: int
    oldest_issued_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """A device's last word: when it was last heard (None: never) and its printer."""

    name: str
    last_seen: datetime | None
    printer: str | None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    raised: list[Alert]
    cleared: list[Alert]

    def __bool__(self) -> bool:
        return bool(self.raised or self.cleared)


def _minutes(seconds: int) -> str:
    minutes = seconds / 60
    return f"{minutes:g}"


def due_alerts(
    now: datetime,
    waits: Iterable[ServiceWait],
    devices: Iterable[DeviceHealth],
    *,
    active: Iterable[AlertKey] = (),
    watching_since: datetime | None = None,
    silence_s: int = DEVICE_SILENCE_S,
) -> dict[AlertKey, Alert]:
    """The alerts that should be active at `now`.

    - `wait-over-target` for each service whose oldest waiting ticket has waited longer
      than the service's target; since the moment it went over.
    - `printer-*` for each device whose printer last reported trouble; since `now` (the
      report has just come in: the server checks right after a heartbeat).
    - `device-offline` for each device heard at least once and unheard for `silence_s`;
      since it was last heard. A device never heard is not installed yet: nothing to say.
      The server watches only from `watching_since` (its start): a device is not offline
      because the server itself was down, unless its alert was already `active` then.
    """
    found: dict[AlertKey, Alert] = {}
    alerted = set(active)
    silence = timedelta(seconds=silence_s)
    for wait in waits:
        if wait.oldest_issued_at is None:
            continue
        over = wait.oldest_issued_at + timedelta(seconds=wait.target_s)
        if now > over:
            message = (
                f"Lĩnh vực {wait.name}: có công dân đã chờ quá "
                f"{_minutes(wait.target_s)} phút chưa được gọi"
            )
            found["wait-over-target", wait.code] = Alert(
                "wait-over-target", wait.code, message, over
            )
    for device in devices:
        kind = _PRINTER_KINDS.get(device.printer or "")
        if kind is not None and device.printer is not None:
            message = f"Máy in của {device.name}: {_PRINTER_WORDS[device.printer]}"
            found[kind, device.name] = Alert(kind, device.name, message, now)
        if device.last_seen is None:
            continue
        heard = device.last_seen
        if watching_since is not None and ("device-offline", device.name) not in alerted:
            heard = max(heard, watching_since)
        if now - heard >= silence:
            message = (
                f"Thiết bị {device.name}: không nhận được tín hiệu quá {silence_s} giây "
                "(mất điện, mất mạng hoặc ứng dụng đã tắt)"
            )
            found["device-offline", device.name] = Alert(
                "device-offline", device.name, message, device.last_seen
            )
    return found


def reconcile(due: Mapping[AlertKey, Alert], active: Mapping[AlertKey, Alert]) -> Reconciliation:
    """What to raise (due, not active) and what to clear (active, no longer due). An
    alert already active stays as it was raised (its id, message and since)."""
    raised = [alert for key, alert in due.items() if key not in active]
    cleared = [alert for key, alert in active.items() if key not in due]
    return Reconciliation(raised, cleared)
