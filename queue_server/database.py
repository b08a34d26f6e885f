"""Opening the data directory: migrations, and the site on first start."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from queue_core.site import SiteConfig, parse_site
from queue_server.store import Store

SAMPLE_SITE = "sample_site.toml"


def sample_site_text() -> str:
    return resources.files("queue_server").joinpath(SAMPLE_SITE).read_text(encoding="utf-8")


def read_site(site_file: Path | None) -> SiteConfig:
    """The site file's configuration, or the bundled sample commune centre."""
    text = site_file.read_text(encoding="utf-8") if site_file else sample_site_text()
    return parse_site(text)


def open_store(data_dir: Path, site_file: Path | None = None) -> Store:
    """A migrated store; an empty one is first filled from `site_file`."""
    store = Store(data_dir)
    store.migrate()
    if store.site() is None:
        site = read_site(site_file)
        with store.transaction():
            if store.site() is None:  # another process may have won the race
                store.save_site(site)
    return store
