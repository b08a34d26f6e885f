"""A new site against the stored one and today's tickets: the one place a site change is
planned and stored, for `motcua site apply` now and the running server's live path later.

Both functions run inside the caller's transaction, so the tickets they read are the
tickets the change is judged against: nothing can be issued in between.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import datetime

import tomli_w

from queue_core.numbering import local_day
from queue_core.site import SiteConfig
from queue_core.site_change import SiteChange, plan_site_change
from queue_server.store import AuditEntry, Store


def plan_site(store: Store, new: SiteConfig, now: datetime) -> list[SiteChange]:
    """What storing `new` would change; inside a (read) transaction.

    Raises:
        SiteChangeRefused: it would orphan a waiting ticket or repeat a number of today.
    """
    current = store.site()
    if current is None:  # open_store keeps one in every database
        raise RuntimeError("the database holds no site")
    day = local_day(now, current.site.timezone)
    today = store.tickets_of_day(day)
    # Yesterday's open tickets expire at the day change; until then they wait.
    open_tickets = [t for t in today if t.is_open] + store.open_tickets_before(day)
    return plan_site_change(current, new, open_tickets, today)


def apply_site(
    store: Store, new: SiteConfig, now: datetime, actor: str, source: str
) -> list[SiteChange]:
    """Plan `new` and store it when it changes anything, each change in the audit log
    under `actor` and `source`; inside `store.transaction()`.

    Raises:
        SiteChangeRefused: as `plan_site`; nothing is written.
    """
    changes = plan_site(store, new, now)
    if changes:
        store.save_site(new)
        change_id = uuid.uuid4().hex
        store.record_audit(
            [
                AuditEntry(
                    now,
                    actor,
                    source,
                    change_id,
                    c.kind.value,
                    c.subject,
                    c.setting,
                    c.before,
                    c.after,
                    c.line,
                )
                for c in changes
            ]
        )
    return changes


def command_line_actor() -> str:
    """Who changed the site from a command: the system user running it."""
    return f"cli:{getpass.getuser()}"


def site_toml(site: SiteConfig) -> str:
    """The site as TOML that `parse_site` reads back equal: every setting that is not
    its default (an unset one cannot be written: TOML has no null). What `motcua site
    export` prints and the admin pages' export gives."""
    return tomli_w.dumps(site.model_dump(mode="json", exclude_defaults=True))
