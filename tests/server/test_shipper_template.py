"""A centre following the province's site template keeps its own name, counters and
services the template does not list (#16, Build 4)."""

from __future__ import annotations

import pytest

from queue_core.errors import InvalidSiteConfig
from queue_core.site import parse_site
from queue_server.shipper_template import followed
from tests.server.conftest import SITE

TEMPLATE = """
[site]
name = "Mẫu của tỉnh"
waiting_target_minutes = 15
holidays = "VN"
call_phrase = "Xin mời số {number} đến quầy {counter}"
hours = { default = ["07:30-11:30", "13:30-17:00"], sat = [], sun = [] }

[[services]]
code = "TP"
name = "Tư pháp – Hộ tịch (theo danh mục tỉnh)"
prefix = "1"
digits = 4
average_service_minutes = 12

[[services]]
code = "LD"
name = "Lao động – Thương binh và Xã hội"
prefix = "3"

[[counters]]
number = 9
name = "Quầy của mẫu"
services = ["TP"]
"""


def test_the_template_sets_the_catalogue_and_the_centre_keeps_its_own() -> None:
    own = parse_site(SITE)
    site = followed(own, parse_site(TEMPLATE))
    assert site.site.name == own.site.name  # the centre's name
    assert site.site.waiting_target_minutes == 15
    assert site.site.holidays == "VN"
    assert site.site.call_phrase.startswith("Xin mời")
    assert site.site.hours is not None
    assert site.site.hours.sat == []
    by_code = {s.code: s for s in site.services}
    assert by_code["TP"].name.endswith("(theo danh mục tỉnh)")
    assert by_code["TP"].digits == 4
    assert "LD" in by_code  # new from the province
    assert by_code["DD"] == next(s for s in own.services if s.code == "DD")  # its own
    assert site.counters == own.counters  # numbers, names, services: the centre's
    assert site.display == own.display
    assert followed(site, parse_site(TEMPLATE)) == site  # following again changes nothing


def test_a_retired_service_leaves_the_centres_counters_or_nothing_is_applied() -> None:
    template = TEMPLATE.replace('code = "LD"', 'code = "DD"').replace(
        'prefix = "3"', 'prefix = "2"\nretired = true'
    )
    own = SITE.replace('services = ["DD"]', 'services = ["DD", "TP"]')
    site = followed(parse_site(own), parse_site(template))
    assert {c.number: c.services for c in site.counters} == {1: ["TP"], 2: ["TP"], 3: ["TP"]}
    # A counter that would serve nothing is a decision for the centre: refused, it says so.
    with pytest.raises(InvalidSiteConfig) as refused:
        followed(parse_site(SITE), parse_site(template))
    assert "counters[2].services" in str(refused.value)


def test_a_template_that_cannot_be_joined_is_refused_naming_why() -> None:
    clash = TEMPLATE.replace('prefix = "3"', 'prefix = "2"')  # the centre's DD has "2"
    with pytest.raises(InvalidSiteConfig) as refused:
        followed(parse_site(SITE), parse_site(clash))
    assert "prefix" in str(refused.value)
