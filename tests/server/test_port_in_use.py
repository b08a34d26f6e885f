"""`motcua serve` on a busy port: one plain line (Vietnamese, then English), exit 1.

uvicorn alone logs "ERROR: [Errno 98] error while attempting to bind …" in English and
exits 3 after opening the database.
"""

from __future__ import annotations

import socket
from pathlib import Path

from tests.helpers.server_process import motcua


def test_a_busy_port_is_one_plain_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = motcua("serve", "--data-dir", str(tmp_path / "data"), "--port", str(port))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"motcua: cổng {port} trên 127.0.0.1 đang được một chương trình khác dùng (có thể "
        f"motcua đã chạy); chọn cổng khác bằng --port / port {port} on 127.0.0.1 is already "
        "in use"
    ]


def test_an_address_not_on_this_machine_is_one_plain_line_too(tmp_path: Path) -> None:
    # 192.0.2.0/24 is reserved for documentation (RFC 5737): never a local address.
    result = motcua("serve", "--data-dir", str(tmp_path / "data"), "--host", "192.0.2.1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "motcua: địa chỉ 192.0.2.1 không thuộc máy này / address 192.0.2.1 is not on this machine"
    ]
