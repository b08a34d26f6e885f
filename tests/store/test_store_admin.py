"""The store's contract for what the admin pages ask of it: a user's role and password
(with the must-change flag), and the audit log filtered by actor and kind, paged.
Parametrized by backend as the contract suite is."""

from __future__ import annotations

from datetime import timedelta

from queue_server.store import AuditEntry, Store, User
from tests.store.test_store_contract import NOON, store  # noqa: F401  (the fixture)


def test_a_role_and_a_password_are_changed_and_move_the_auth_revision(store: Store) -> None:  # noqa: F811
    with store.transaction():
        store.insert_user(User("lan", "Lan", "clerk", "$argon2$old", False, NOON))
    assert store.user("lan") is not None
    assert store.user("lan").must_change_password is False  # type: ignore[union-attr]
    revision = store.auth_revision()
    with store.transaction():
        assert store.set_user_role("lan", "supervisor")
        assert store.set_user_password("lan", "$argon2$new", must_change=True)
        assert not store.set_user_role("nobody", "clerk")
        assert not store.set_user_password("nobody", "x", must_change=False)
    assert store.auth_revision() != revision
    assert store.user("lan") == User(
        "lan", "Lan", "supervisor", "$argon2$new", False, NOON, must_change_password=True
    )
    with store.transaction():
        store.set_user_password("lan", "$argon2$mine", must_change=False)
    assert store.user("lan").must_change_password is False  # type: ignore[union-attr]


def _entry(minutes: int, actor: str, kind: str) -> AuditEntry:
    return AuditEntry(
        NOON + timedelta(minutes=minutes),
        actor,
        "admin",
        f"c{minutes}",
        kind,
        "s",
        None,
        None,
        minutes,
        f"{kind} {minutes}",
    )


def test_the_audit_log_is_filtered_by_actor_and_kind_and_paged(store: Store) -> None:  # noqa: F811
    entries = [
        _entry(1, "web:an", "staff.added"),
        _entry(2, "cli:root", "renamed"),
        _entry(3, "web:an", "device.added"),
        _entry(4, "web:an", "staff.added"),
    ]
    with store.transaction():
        store.record_audit(entries)
    since, until = NOON, NOON + timedelta(hours=1)
    assert store.audit(since, until, 10, actor="web:an") == [entries[3], entries[2], entries[0]]
    assert store.audit(since, until, 10, kind="staff.added") == [entries[3], entries[0]]
    assert store.audit(since, until, 10, actor="web:an", kind="device.added") == [entries[2]]
    assert store.audit(since, until, 2, offset=1) == [entries[2], entries[1]]
    assert store.audit(since, until, 10, actor="nobody") == []
    assert store.audit_facets() == (
        ["cli:root", "web:an"],
        ["device.added", "renamed", "staff.added"],
    )
