"""Devices on the admin pages against the real app: a device added shows its token once
(with the QR of its start line) and the token works; rotating stops the old token,
revoking stops it altogether; heartbeats show as last seen, version and printer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.server.conftest import Hall, open_hall
from tests.server.test_admin_site import sign_in


@pytest.fixture
def admin_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    for hall in open_hall(tmp_path_factory.mktemp("devices") / "data"):
        hall.client.cookies.clear()
        yield hall


def devices(hall: Hall, csrf: str, **fields: str) -> tuple[int, str]:
    response = hall.client.post("/admin/devices", data={"csrf": csrf, **fields})
    return response.status_code, response.text


def shown_token(html: str) -> str:
    found = re.search(r"<p class=\"secret\" data-token>([^<]+)</p>", html)
    assert found is not None, html
    return found.group(1)


def works(hall: Hall, token: str) -> bool:
    response = hall.client.get("/api/services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401)
    return response.status_code == 200


def test_a_device_added_shows_its_token_once_with_a_qr_of_its_start_line(
    admin_hall: Hall,
) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/devices")
    status, html = devices(admin_hall, csrf, op="add", name="kiosk-sanh-2", kind="kiosk")
    assert status == 200, html
    token = shown_token(html)
    assert f"motcua kiosk --server http://testserver --token {token}" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert works(admin_hall, token)
    # Shown once: the list page never shows it again.
    assert token not in admin_hall.client.get("/admin/devices").text
    status, html = devices(admin_hall, csrf, op="add", name="kiosk-sanh-2", kind="kiosk")
    assert status == 422
    assert "Tên này đã được dùng" in html


def test_a_rating_tablet_is_bound_to_its_counter_and_a_board_gets_its_address(
    admin_hall: Hall,
) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/devices")
    _, html = devices(admin_hall, csrf, op="add", name="danh-gia-2", kind="rating", counter="2")
    assert "--mode rating --counter 2" in html
    _, html = devices(admin_hall, csrf, op="add", name="tv-sanh", kind="display")
    token = shown_token(html)
    assert f"http://testserver/display?token={token}" in html
    status, html = devices(admin_hall, csrf, op="add", name="tv-2", kind="display", counter="2")
    assert status == 422


def test_rotating_stops_the_old_token_and_revoking_stops_the_device(admin_hall: Hall) -> None:
    csrf = sign_in(admin_hall, "admin", "/admin/devices")
    _, html = devices(admin_hall, csrf, op="add", name="kiosk-3", kind="kiosk")
    first = shown_token(html)
    device_id = re.findall(r'name="id" value="(\d+)"', html)[-1]
    _, html = devices(admin_hall, csrf, op="rotate", id=device_id)
    second = shown_token(html)
    assert second != first
    assert not works(admin_hall, first)
    assert works(admin_hall, second)
    status, html = devices(admin_hall, csrf, op="revoke", id=device_id)
    assert status == 200
    assert "Đã thu hồi thiết bị" in html
    assert not works(admin_hall, second)
    audit = admin_hall.client.get("/admin/audit", params={"actor": "web:admin"}).text
    for kind in ("device.added", "device.rotated", "device.revoked"):
        assert kind in audit


def test_the_list_shows_what_heartbeats_reported(admin_hall: Hall) -> None:
    beat = admin_hall.client.post(
        "/api/devices/heartbeat",
        json={"printer": "paper-near-end", "version": "2.3.1"},
        headers=admin_hall.headers("kiosk"),
    )
    assert beat.status_code == 204
    sign_in(admin_hall, "admin", "/admin/devices")
    html = admin_hall.client.get("/admin/devices").text
    row = html[html.index("kiosk 1") :].split("</tr>")[0]
    assert "2.3.1" in row
    assert "sắp hết giấy" in row
    assert "23/11/2026 09:00:00" in row  # last seen, in the site's time
