"""A device's token from a file the device's account alone can read.

A token given as `--token` shows in `/proc/PID/cmdline`, which every local account may
read; `MOTCUA_TOKEN` (the environment) and `--token-file PATH` do not. A file is refused
when its group or others have any permission on it, as ssh refuses a private key: the
token is as good as a password for its device. `--token` keeps working, for the
contract and for a quick test, and the apps warn when it is used.
"""

from __future__ import annotations

import stat
from pathlib import Path


class TokenFileError(Exception):
    """The token cannot be had; the message is one bilingual line for the technician."""


def read_token_file(path: Path) -> str:
    """The token in `path` (its one line, trimmed).

    Raises:
        TokenFileError: missing, unreadable, open to other users, empty or not one token.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TokenFileError(
            f"không đọc được tệp mã truy cập {path} ({reason}) / cannot read the token file"
        ) from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenFileError(
            f"tệp mã truy cập {path} có quyền {stat.filemode(mode)}: người dùng khác đọc được; "
            f"chạy: chmod 600 {path} / the token file is open to other users: chmod 600 it"
        )
    token = text.strip()
    if not token or any(c.isspace() for c in token):
        raise TokenFileError(
            f"tệp mã truy cập {path} phải chứa đúng một mã, trên một dòng / the token file "
            "must hold exactly one token, on one line"
        )
    return token


def device_token(token: str | None, token_file: Path | None) -> str:
    """The token to use: from `token_file` when given (it wins over `MOTCUA_TOKEN`), else
    `token`.

    Raises:
        TokenFileError: neither given, or the file is refused.
    """
    if token_file is not None:
        return read_token_file(token_file)
    if token:
        return token
    raise TokenFileError(
        "cần mã truy cập của thiết bị: --token-file TỆP hoặc biến MOTCUA_TOKEN / the device's "
        "token is needed: --token-file PATH or MOTCUA_TOKEN"
    )


ON_COMMAND_LINE = (
    "cảnh báo: --token hiện với mọi tài khoản trên máy (danh sách tiến trình); hãy dùng "
    "--token-file hoặc MOTCUA_TOKEN / warning: --token is visible to every local account "
    "(the process list); use --token-file or MOTCUA_TOKEN"
)
