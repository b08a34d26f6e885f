"""Devices on the admin pages: add one (its token shown once, with a QR code of the
app's start line for the technician at the kiosk or the TV), rotate its token, revoke
it; and each device's health from its heartbeats: last seen, app version, printer.

The same functions as `motcua device add/rotate/revoke` (`queue_server.auth`), run in
the writer with their audit entry; the live hall takes the device at once (a revoked
one raises nothing and its alerts clear), and the token cache is refreshed.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.auth import BINDABLE, add_device, revoke_device, rotate_device_token
from queue_server.pages.admin import Admin, admin_of, admin_page, read_form, record, words
from queue_server.pages.i18n import N_
from queue_server.roles import DEVICE_KINDS, Role
from queue_server.routes.deps import app_state
from queue_server.store import Conflict, Device, Store
from queue_server.writer import Outcome

router = APIRouter(include_in_schema=False)

PATH = "/admin/devices"
NAME = re.compile(r"^\S.{0,63}$")
KIND_NAMES = {
    Role.KIOSK.value: N_("Kiosk"),
    Role.DISPLAY.value: N_("Display board"),
    Role.COUNTER.value: N_("Counter keypad"),
    Role.RATING.value: N_("Rating tablet"),
}
PRINTER_NAMES = {
    "ok": N_("ok"),
    "paper-near-end": N_("paper near end"),
    "paper-out": N_("paper out"),
    "cover-open": N_("cover open"),
    "offline": N_("offline"),
    "unknown": N_("unknown"),
}


class DeviceError(Exception):
    """A change to a device that cannot be made; the message says why."""


def start_line(server: str, device: Device, token: str) -> str:
    """What a technician runs (or opens) to start this device's app with its token."""
    if device.kind == Role.DISPLAY.value:
        return f"{server}/display?token={token}"
    if device.kind == Role.RATING.value:
        counter = f" --counter {device.counter}" if device.counter is not None else ""
        return f"motcua kiosk --server {server} --token {token} --mode rating{counter}"
    if device.kind == Role.COUNTER.value:
        return f"motcua counter --server {server} --token {token}"
    return f"motcua kiosk --server {server} --token {token}"


def qr_data_uri(text: str) -> str:
    """`text` as a QR code, an SVG image inline in the page (no file, no script)."""
    image: Any = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _page(
    request: Request,
    admin: Admin,
    status_code: int = 200,
    errors: list[str] | None = None,
    notice: str | None = None,
    issued: dict[str, str] | None = None,
) -> Response:
    state = app_state(request)
    return admin_page(
        request,
        admin,
        "admin_devices.html",
        PATH,
        status_code,
        devices=state.reader.devices(),
        kinds=DEVICE_KINDS,
        kind_names=KIND_NAMES,
        printer_names=PRINTER_NAMES,
        bindable={k.value for k in BINDABLE},
        local=state.service.views.local,
        counters=[c.number for c in state.service.site.counters if not c.retired],
        errors=errors or [],
        notice=notice,
        issued=issued,
        done=None,
    )


@router.get(PATH)
async def devices_page(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    return _page(request, admin)


@router.post(PATH)
async def change_device(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    form = await read_form(request, admin)
    if not isinstance(form, dict):
        return form
    _ = words(request).gettext
    state = app_state(request)
    now = state.clock.now()
    op = form.get("op", "")
    server = str(request.base_url).rstrip("/")
    try:
        if op == "add":
            device, token = await _add(request, admin, form)
            notice = _("Device added. Its token is shown only now:")
        elif op in ("rotate", "revoke"):
            device_id = int(form.get("id", "0")) if form.get("id", "").isdigit() else 0

            def change(store: Store) -> Outcome[tuple[Device, str]]:
                known = store.device(device_id)
                if known is None:
                    raise DeviceError(_("Unknown device"))
                token = ""
                if op == "rotate":
                    token = rotate_device_token(store, device_id, now)
                    vi, en = "Cấp mã mới cho thiết bị", "New token for the device"
                else:
                    revoke_device(store, device_id, now)
                    vi, en = "Thu hồi thiết bị", "Revoked the device"
                record(
                    store,
                    admin,
                    now,
                    "device.rotated" if op == "rotate" else "device.revoked",
                    known.name,
                    None,
                    None,
                    f"{vi} {known.name}",
                    f"{en} {known.name}",
                )
                found = store.device(device_id)
                assert found is not None
                return Outcome((found, token))

            device, token = await state.writer.run(change)
            notice = (
                _("New token made; the old one no longer works. It is shown only now:")
                if op == "rotate"
                else _("Device revoked; its token no longer works.")
            )
        else:
            raise DeviceError(_("Unknown change"))
    except DeviceError as exc:
        return _page(request, admin, 422, errors=[str(exc)])
    await state.service.take_devices()  # the hall: a device in service, or out of it
    state.tokens.refresh()
    issued = None
    if token:
        line = start_line(server, device, token)
        issued = {"name": device.name, "token": token, "line": line, "qr": qr_data_uri(line)}
    return _page(request, admin, notice=notice, issued=issued)


async def _add(request: Request, admin: Admin, form: dict[str, str]) -> tuple[Device, str]:
    _ = words(request).gettext
    state = app_state(request)
    now = state.clock.now()
    name = form.get("name", "").strip()
    kind = form.get("kind", "")
    counter_text = form.get("counter", "").strip()
    problems = []
    if not NAME.match(name):
        problems.append(_("Name: 1 to 64 characters"))
    if kind not in {k.value for k in DEVICE_KINDS}:
        problems.append(_("Choose a kind of device"))
    counter: int | None = None
    if counter_text:
        if not counter_text.isdigit() or kind not in {k.value for k in BINDABLE}:
            problems.append(_("Only a counter keypad or a rating tablet is bound to a counter"))
        else:
            counter = int(counter_text)
            if counter not in {c.number for c in state.service.site.counters}:
                problems.append(_("There is no such counter"))
    if problems:
        raise DeviceError("; ".join(problems))

    def add(store: Store) -> Outcome[tuple[Device, str]]:
        try:
            device_id, token = add_device(store, name, Role(kind), now, counter)
        except Conflict:
            raise DeviceError(_("This name is taken")) from None
        record(
            store,
            admin,
            now,
            "device.added",
            name,
            None,
            kind,
            f"Thêm thiết bị {name} ({kind})",
            f"Added the device {name} ({kind})",
        )
        device = store.device(device_id)
        assert device is not None
        return Outcome((device, token))

    return await state.writer.run(add)
