"""Following a site template the province hub hands down (issue #16, Build 4, the centre's
side): what the template changes, what the centre keeps.

The province decides the catalogue (services, their hours, caps and targets), the site's
hours and holidays, the call phrase and the rating scale; the centre keeps its own name and
agency, its counters (numbers, names, which services each serves), its boards' settings,
and any service of its own that the template does not list. A template retires a service
by listing it with `retired = true`; the centre's counters then stop serving it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from queue_core.clock import Clock
from queue_core.errors import InvalidSiteConfig, SiteChangeRefused
from queue_core.protocol import HubTemplateOut
from queue_core.site import SiteConfig, parse_site, site_from_data
from queue_core.site_change import SiteChange
from queue_server.shipper_link import HubLink, LinkDown
from queue_server.site_update import apply_site
from queue_server.store import connect

log = logging.getLogger(__name__)


def followed(own: SiteConfig, template: SiteConfig) -> SiteConfig:
    """The centre's site once it follows `template`.

    Raises:
        InvalidSiteConfig: the two cannot be joined (e.g. a service of the centre's own
            whose prefix the template gives another service, or a counter whose every
            service the template retires).
    """
    site = template.site.model_dump()
    site.update(name=own.site.name, agency=own.site.agency)
    listed = {s.code for s in template.services}
    retired = {s.code for s in template.services if s.retired}
    services = [s.model_dump() for s in template.services] + [
        s.model_dump() for s in own.services if s.code not in listed
    ]
    counters = []
    for counter in own.counters:
        data = counter.model_dump()
        if not counter.retired:
            # Left empty, the validation below names the counter: nothing is applied.
            data["services"] = [code for code in counter.services if code not in retired]
        counters.append(data)
    return site_from_data(
        {
            "site": site,
            "display": own.display.model_dump(),
            "services": services,
            "counters": counters,
        }
    )


class TemplateFollower:
    """Fetches the hub's template `name` every `interval_s` and applies each new version
    through `site apply`'s path (`apply_site`, in one transaction of its own connection,
    on its own thread); the running server takes the stored site within a second, as it
    does after `motcua site apply`, and every board gets `site.updated`.

    The first version fetched after a start is applied too: the template owns its part of
    the site, so a local edit to that part lasts until the next start or version. A version
    the centre cannot take (it would orphan a waiting ticket, repeat today's numbers, or
    leave a counter serving nothing) is logged once and tried again at each fetch, so it
    goes through once the hall allows it (at the latest the next day).
    """

    def __init__(
        self, link: HubLink, name: str, data_dir: Path, clock: Clock, interval_s: float
    ) -> None:
        self.name = name
        self.version: int | None = None  # the version this centre follows now
        self.last_error: str | None = None
        self._link = link
        self._data_dir = data_dir
        self._clock = clock
        self._interval_s = interval_s
        self._refused: int | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="site template")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def public(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "last_error": self.last_error}

    async def _run(self) -> None:
        while True:
            await self._follow()
            await asyncio.sleep(self._interval_s)

    async def _follow(self) -> None:
        try:
            template = await self._link.template(self.name)
            if template.version == self.version:
                return
            changes = await asyncio.to_thread(self._apply, template)
        except LinkDown as exc:
            self.last_error = exc.kind  # the shipper logs the link's ups and downs
            return
        except (InvalidSiteConfig, SiteChangeRefused) as exc:
            self.last_error = "refused"
            if self._refused != template.version:
                self._refused = template.version
                log.warning(
                    "site template %s version %d not applied (tried again later): %s",
                    template.name,
                    template.version,
                    exc.message,
                )
            return
        except Exception:
            self.last_error = "internal"
            log.exception("site template %s: following it failed", self.name)
            return
        self.version, self.last_error, self._refused = template.version, None, None
        log.warning(
            "site template %s version %d followed: %d changes",
            template.name,
            template.version,
            len(changes),
        )

    def _apply(self, template: HubTemplateOut) -> list[SiteChange]:
        store = connect(self._data_dir)
        try:
            with store.transaction():
                own = store.site()
                if own is None:  # open_store keeps one in every database
                    raise RuntimeError("the database holds no site")
                new = followed(own, parse_site(template.toml))
                return apply_site(
                    store, new, self._clock.now(), f"hub:{template.name}", "hub-template"
                )
        finally:
            store.close()
