"""`motcua site export` and `motcua site apply`: the stored site as TOML, and a changed
file applied to a data directory (issue #13).

A running server needs no stop: the change is planned and stored in one transaction,
which the server's writer waits for, so nothing is issued in between; the server sees
the site's revision move and takes the change live within a second or two, announcing
`site.updated` (see `QueueService.take_site`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
from queue_core.site import SiteConfig, parse_site
from queue_core.site_change import SiteChange, describe


def run_export(data_dir: Path, now: datetime) -> None:
    from motcua.cli import _store
    from queue_server.site_update import site_toml

    if not (data_dir / "motcua.db").exists():
        raise click.ClickException(
            f"{data_dir}: chưa có cơ sở dữ liệu / there is no database here yet"
        )
    store = _store(data_dir)
    try:
        site = store.site()
    finally:
        store.close()
    if site is None:  # pragma: no cover - open_store has stored one
        raise click.ClickException(f"{data_dir}: no site stored")
    click.echo(
        f"# motcua: the site of {data_dir}, exported {now:%Y-%m-%d %H:%M %Z}.\n"
        "# `motcua site apply FILE --data-dir DIR` takes it back (docs/configuration.md).\n"
    )
    click.echo(site_toml(site), nl=False)


def run_apply(site_file: Path, data_dir: Path, now: datetime, *, dry_run: bool = False) -> None:
    """Apply `site_file` to the database in `data_dir`, or with `dry_run` only say what
    applying it would do (a read: no lock needed, a running server is no obstacle)."""
    from queue_server.database import DataDirInUse, lock_data_dir
    from queue_server.store import DATABASE_NAME

    try:
        new = parse_site(site_file.read_text(encoding="utf-8"))
    except InvalidSiteConfig as exc:
        raise click.ClickException(f"{site_file}: {exc.message}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{site_file}: {exc}") from exc
    if dry_run:
        if not (data_dir / DATABASE_NAME).exists():
            click.echo(
                f"Sẽ tạo cơ sở dữ liệu mới từ {site_file} / Would create a new database from"
                f" {site_file}"
            )
            return
        _show(_plan(data_dir, new, now, write=False))
        return
    lock = None
    try:
        lock = lock_data_dir(data_dir)
    except DataDirInUse:
        pass  # a server runs: it takes the change live once it is stored
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc
    try:
        if not (data_dir / DATABASE_NAME).exists():
            from motcua.cli import _store

            _store(data_dir, site_file).close()
            click.echo(
                f"Tạo cơ sở dữ liệu mới từ {site_file} / Created a new database from {site_file}"
            )
            return
        changes = _plan(data_dir, new, now, write=True)
    finally:
        if lock is not None:
            lock.close()
    _show(changes)
    if lock is None and changes:
        click.echo(
            "Máy chủ đang chạy sẽ áp dụng thay đổi trong vài giây / The running server takes"
            " the change within seconds"
        )


def _plan(data_dir: Path, new: SiteConfig, now: datetime, *, write: bool) -> list[SiteChange]:
    """Plan `new` against the stored site and today's tickets in one transaction, which
    also stores it when `write`."""
    from motcua.cli import _store
    from queue_server.site_update import apply_site, command_line_actor, plan_site

    store = _store(data_dir)
    try:
        if write:
            with store.transaction():
                return apply_site(store, new, now, command_line_actor(), "cli")
        with store.read_transaction():
            return plan_site(store, new, now)
    except SiteChangeRefused as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        store.close()


def _show(changes: list[SiteChange]) -> None:
    for line in describe(changes):
        click.echo(line)
