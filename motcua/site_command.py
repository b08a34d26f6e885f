"""`motcua site export` and `motcua site apply`: the stored site as TOML, and a changed
file applied to a data directory with no server running on it (issue #13).

While a server runs, `apply` refuses: the running server keeps the site in memory, and
taking a change live is the server's own path (see docs/operations.md).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import tomli_w

from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
from queue_core.numbering import local_day
from queue_core.site import SiteConfig, parse_site
from queue_core.site_change import describe, plan_site_change


def site_toml(site: SiteConfig) -> str:
    """The site as TOML that `parse_site` reads back equal: every setting that is not
    its default (an unset one cannot be written: TOML has no null)."""
    return tomli_w.dumps(site.model_dump(mode="json", exclude_defaults=True))


def run_export(data_dir: Path, now: datetime) -> None:
    from motcua.cli import _store

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


def run_apply(site_file: Path, data_dir: Path, now: datetime) -> None:
    from motcua.cli import _store
    from queue_server.database import DataDirInUse, lock_data_dir
    from queue_server.store import DATABASE_NAME

    try:
        new = parse_site(site_file.read_text(encoding="utf-8"))
    except InvalidSiteConfig as exc:
        raise click.ClickException(f"{site_file}: {exc.message}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{site_file}: {exc}") from exc
    try:
        lock = lock_data_dir(data_dir)
    except DataDirInUse as exc:
        raise click.ClickException(
            f"{exc} Hãy dừng máy chủ rồi chạy lại lệnh; không có gì thay đổi. / Stop the server"
            " and run the command again; nothing was changed."
        ) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: {exc.strerror}") from exc
    try:
        if not (data_dir / DATABASE_NAME).exists():
            _store(data_dir, site_file).close()
            click.echo(
                f"Tạo cơ sở dữ liệu mới từ {site_file} / Created a new database from {site_file}"
            )
            return
        store = _store(data_dir)
        try:
            with store.transaction():
                current = store.site()
                assert current is not None  # open_store keeps one in every database
                day = local_day(now, current.site.timezone)
                today = store.tickets_of_day(day)
                # Yesterday's open tickets expire at the day change; until then they wait.
                open_tickets = [t for t in today if t.is_open] + store.open_tickets_before(day)
                changes = plan_site_change(current, new, open_tickets, today)
                if changes:
                    store.save_site(new)
        except SiteChangeRefused as exc:
            raise click.ClickException(exc.message) from exc
        finally:
            store.close()
    finally:
        lock.close()
    for line in describe(changes):
        click.echo(line)
