"""Following a site template the province hub hands down (issue #16, Build 4, the centre's
side): what the template changes, what the centre keeps.

The province decides the catalogue (services, their hours, caps and targets), the site's
hours and holidays, the call phrase and the rating scale; the centre keeps its own name and
agency, its counters (numbers, names, which services each serves), its boards' settings,
and any service of its own that the template does not list. A template retires a service
by listing it with `retired = true`; the centre's counters then stop serving it.
"""

from __future__ import annotations

from queue_core.site import SiteConfig, site_from_data


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
