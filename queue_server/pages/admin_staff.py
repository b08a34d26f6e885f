"""Staff on the admin pages: add an account, disable or enable it, reset its password
(shown once; the person must change it at the next sign-in), change its role; and the
sign-in throttle's lock-outs, with an unlock.

Passwords are hashed in a worker thread before the change reaches the writer, so the
hall's tickets never wait on argon2; every change is one writer transaction with its
audit entry, and the token cache is refreshed at once (a disabled account's tokens stop
working now, not within a second).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from queue_server.auth import hash_password
from queue_server.pages.admin import Admin, admin_of, admin_page, read_form, record, words
from queue_server.pages.i18n import N_
from queue_server.roles import USER_ROLES, Role
from queue_server.routes.deps import app_state
from queue_server.store import Conflict, Store, User
from queue_server.writer import Outcome

router = APIRouter(include_in_schema=False)

PATH = "/admin/staff"
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
MIN_PASSWORD = 6  # as `motcua user add`
ROLE_NAMES = {
    Role.ADMIN.value: N_("Administrator"),
    Role.SUPERVISOR.value: N_("Supervisor"),
    Role.CLERK.value: N_("Clerk"),
}


class StaffError(Exception):
    """A change to an account that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Done:
    notice: str
    secret: str | None = None  # a temporary password, shown once


def _page(
    request: Request,
    admin: Admin,
    status_code: int = 200,
    errors: list[str] | None = None,
    notice: str | None = None,
    secret: str | None = None,
) -> Response:
    state = app_state(request)
    local = state.service.views.local
    locks = [
        (username, address, failures, int(wait_s) + 1)
        for username, address, failures, wait_s in state.throttle.locked(time.monotonic())
    ]
    return admin_page(
        request,
        admin,
        "admin_staff.html",
        PATH,
        status_code,
        users=state.reader.users(),
        roles=USER_ROLES,
        role_names=ROLE_NAMES,
        locks=locks,
        local=local,
        errors=errors or [],
        notice=notice,
        secret=secret,
        done=None,
    )


@router.get(PATH)
async def staff_page(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    return _page(request, admin)


@router.post(PATH)
async def change_staff(request: Request) -> Response:
    admin = admin_of(request, PATH)
    if not isinstance(admin, Admin):
        return admin
    form = await read_form(request, admin)
    if not isinstance(form, dict):
        return form
    try:
        done = await _change(request, admin, form)
    except StaffError as exc:
        return _page(request, admin, 422, errors=[str(exc)])
    return _page(request, admin, notice=done.notice, secret=done.secret)


async def _change(request: Request, admin: Admin, form: dict[str, str]) -> Done:
    _ = words(request).gettext
    state = app_state(request)
    now = state.clock.now()
    op = form.get("op", "")
    username = form.get("username", "").strip()
    if op == "unlock":
        address = form.get("address", "")
        if not state.throttle.unlock(username, address):
            raise StaffError(_("That lock-out has already ended"))

        def unlocked(store: Store) -> Outcome[None]:
            record(
                store,
                admin,
                now,
                "staff.unlocked",
                username or address,
                None,
                address,
                f"Mở khoá đăng nhập {username} từ {address}",
                f"Sign-in unlocked for {username} from {address}",
            )
            return Outcome(None)

        await state.writer.run(unlocked)
        return Done(_("Unlocked."))
    if op == "add":
        return await _add(request, admin, form)
    if not USERNAME.match(username):
        raise StaffError(_("Unknown account"))
    if username == admin.who.subject and op in ("disable", "role"):
        raise StaffError(_("You cannot disable your own account or change your own role"))
    secret: str | None = None
    password_hash: str | None = None
    if op == "reset":
        secret = secrets.token_urlsafe(9)
        password_hash = await asyncio.to_thread(hash_password, secret)
    role = form.get("role", "")
    if op == "role" and role not in USER_ROLES:
        raise StaffError(_("Choose a role"))

    def change(store: Store) -> Outcome[str]:
        user = store.user(username)
        if user is None:
            raise StaffError(_("Unknown account"))
        if op in ("disable", "enable"):
            disabled = op == "disable"
            store.set_user_disabled(username, disabled)
            vi, en = ("Khoá", "Disabled") if disabled else ("Mở lại", "Enabled")
            record(
                store,
                admin,
                now,
                f"staff.{op}d",
                username,
                user.disabled,
                disabled,
                f"{vi} tài khoản {username}",
                f"{en} the account {username}",
                "disabled",
            )
            return Outcome(_("Account disabled.") if disabled else _("Account enabled."))
        if op == "reset":
            assert password_hash is not None
            store.set_user_password(username, password_hash, must_change=True)
            store.revoke_tokens("user", username, now)  # the apps sign in again
            record(
                store,
                admin,
                now,
                "staff.password_reset",
                username,
                None,
                None,
                f"Đặt lại mật khẩu của {username} (phải đổi khi đăng nhập)",
                f"Reset the password of {username} (to be changed at sign-in)",
            )
            return Outcome(_("Password reset. Give this temporary password to the person:"))
        if op == "role":
            store.set_user_role(username, role)
            record(
                store,
                admin,
                now,
                "staff.role",
                username,
                user.role,
                role,
                f"Đổi vai trò của {username}: {user.role} → {role}",
                f"Changed the role of {username}: {user.role} → {role}",
                "role",
            )
            return Outcome(_("Role changed."))
        raise StaffError(_("Unknown change"))

    notice = await state.writer.run(change)
    state.tokens.refresh()
    return Done(notice, secret)


async def _add(request: Request, admin: Admin, form: dict[str, str]) -> Done:
    _ = words(request).gettext
    state = app_state(request)
    now = state.clock.now()
    username = form.get("username", "").strip()
    display_name = form.get("display_name", "").strip()[:100] or username
    password = form.get("password", "")
    role = form.get("role", "")
    problems = []
    if not USERNAME.match(username):
        problems.append(_("Username: letters, digits, dot, dash or underscore, up to 64"))
    if len(password) < MIN_PASSWORD:
        problems.append(_("Password: at least 6 characters"))
    if role not in USER_ROLES:
        problems.append(_("Choose a role"))
    if problems:
        raise StaffError("; ".join(problems))
    password_hash = await asyncio.to_thread(hash_password, password)
    user = User(username, display_name, Role(role).value, password_hash, False, now)

    def add(store: Store) -> Outcome[None]:
        try:
            store.insert_user(user)
        except Conflict:
            raise StaffError(_("This username is taken")) from None
        record(
            store,
            admin,
            now,
            "staff.added",
            username,
            None,
            role,
            f"Thêm tài khoản {username} ({role})",
            f"Added the account {username} ({role})",
        )
        return Outcome(None)

    await state.writer.run(add)
    return Done(_("Account added."))
