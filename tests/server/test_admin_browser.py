"""The admin pages in a real browser (headless Chromium over the DevTools protocol) on a
real server: an administrator signs in with the form, adds a service and a counter that
serves it, a kiosk takes a ticket for it through the API, the service is renamed (the
ticket keeps its number) and retired (refused while its ticket waits, done once served).
A forged form without the CSRF token is refused; a clerk's session gets 403."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from queue_core.clock import FrozenClock
from tests.helpers.chromium import Chromium, find_chromium
from tests.helpers.live_server import LiveServer
from tests.server.conftest import MONDAY_9AM, PASSWORDS, prepare_data_dir

WAIT_S = 30.0  # a shared 2-core machine running the whole suite is slow, not broken


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("admin-browser") / "data"
    clock = FrozenClock(MONDAY_9AM)
    tokens = prepare_data_dir(data_dir, now=clock.now())
    live = LiveServer(data_dir, clock)
    live.start()
    try:
        yield live, tokens
    finally:
        live.stop()


@pytest.fixture
def browser() -> Iterator[Chromium]:
    if find_chromium() is None:
        pytest.skip("chromium is not installed (scripts/system-deps installs it)")
    with Chromium(width=1366, height=768) as chromium:
        yield chromium


def settle(browser: Chromium, expression: str) -> Any:
    """Wait until `expression` holds on a page that has finished loading."""
    return browser.settle(f"document.readyState === 'complete' && ({expression})", WAIT_S)


def fill_and_submit(browser: Chromium, form: str, values: dict[str, str], button: str) -> None:
    """Type `values` into the form `form` (a CSS selector) and press its `button`."""
    browser.evaluate(
        f"""(() => {{
            const form = document.querySelector({json.dumps(form)});
            for (const [name, value] of Object.entries({json.dumps(values)})) {{
                form.querySelector(`[name="${{name}}"]`).value = value;
            }}
            form.querySelector({json.dumps(button)}).click();
        }})()"""
    )


def sign_in(browser: Chromium, url: str, username: str) -> None:
    browser.navigate(url)
    settle(browser, "document.querySelector('input[name=\"password\"]') !== null")
    fill_and_submit(
        browser,
        'form[action="/sign-in"]',
        {"username": username, "password": PASSWORDS[username]},
        "button",
    )


def preview_then_apply(browser: Chromium) -> None:
    settle(browser, "document.querySelector('form[action=\"/admin/site/apply\"]') !== null")
    browser.evaluate("document.querySelector('form[action=\"/admin/site/apply\"] button').click()")
    settle(browser, "document.querySelector('.done') !== null")


def services(live: LiveServer, token: str) -> dict[str, str]:
    response = httpx.get(f"{live.url}/api/services", headers={"Authorization": f"Bearer {token}"})
    return {s["code"]: s["name"] for s in response.json()}


def test_add_a_service_and_its_counter_take_a_ticket_rename_and_retire_it(
    server: tuple[LiveServer, dict[str, str]], browser: Chromium
) -> None:
    live, tokens = server
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    sign_in(browser, f"{live.url}/admin", "admin")
    settle(browser, "document.querySelector('#service-form') !== null")

    fill_and_submit(
        browser,
        "#service-form",
        {"code": "HN", "name": "Hôn nhân", "prefix": "5", "digits": "3"},
        "button[type=submit]",
    )
    preview_then_apply(browser)
    assert services(live, tokens["kiosk"])["HN"] == "Hôn nhân"

    fill_and_submit(
        browser,
        "#counter-form",
        {"number": "4", "name": "Quầy 4", "services": "HN"},
        "button[type=submit]",
    )
    preview_then_apply(browser)
    assert "Quầy 4" in browser.evaluate("document.body.innerText")

    ticket = httpx.post(f"{live.url}/api/tickets", json={"service": "HN"}, headers=kiosk)
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["number"] == "5001"

    browser.navigate(f"{live.url}/admin?service=HN")
    settle(browser, "document.querySelector('#service-form input[name=code]').readOnly")
    fill_and_submit(
        browser, "#service-form", {"name": "Hôn nhân – Gia đình"}, "button[type=submit]"
    )
    preview_then_apply(browser)
    assert services(live, tokens["kiosk"])["HN"] == "Hôn nhân – Gia đình"
    kept = httpx.get(f"{live.url}/api/tickets/{ticket.json()['id']}", headers=kiosk).json()
    assert (kept["number"], kept["status"]) == ("5001", "waiting")

    # Retiring it while its ticket waits is refused, and nothing changes.
    retire = "document.querySelector('button[name=op][value=service-retire]')"
    browser.evaluate(
        "[...document.querySelectorAll('tr')].find(r => r.cells[0]?.innerText === 'HN')"
        ".querySelector('button[value=service-retire]').click()"
    )
    settle(browser, "document.querySelector('.error') !== null")
    assert "5001" in browser.evaluate("document.querySelector('.error').innerText")
    assert "HN" in services(live, tokens["kiosk"])

    staff = {"Authorization": f"Bearer {tokens['lan']}"}
    called = httpx.post(f"{live.url}/api/counters/4/call-next", headers=staff)
    assert called.json()["number"] == "5001"
    done = httpx.post(f"{live.url}/api/tickets/{called.json()['id']}/complete", headers=staff)
    assert done.status_code == 200

    browser.navigate(f"{live.url}/admin")
    settle(browser, f"{retire} !== null")
    browser.evaluate(
        "[...document.querySelectorAll('tr')].find(r => r.cells[0]?.innerText === 'HN')"
        ".querySelector('button[value=service-retire]').click()"
    )
    preview_then_apply(browser)
    assert "HN" not in services(live, tokens["kiosk"])
    row = browser.evaluate(
        "[...document.querySelectorAll('tr')].find(r => r.cells[0]?.innerText === 'HN').innerText"
    )
    assert "Ngừng sử dụng" in row

    # The audit log's filter swaps its table in place (htmx) and keeps the filter in the
    # address.
    browser.navigate(f"{live.url}/admin/audit")
    settle(browser, "document.querySelector('#audit') !== null && window.htmx !== undefined")
    browser.evaluate(
        """(() => { const kind = document.querySelector('select[name=kind]');
                    kind.value = 'renamed';
                    kind.dispatchEvent(new Event('change', {bubbles: true})); })()"""
    )
    settle(browser, "location.search.includes('kind=renamed')")
    kinds = browser.evaluate(
        "[...document.querySelectorAll('#audit tbody tr')].map(r => r.cells[2].innerText)"
    )
    assert kinds == ["renamed"]

    # A form posted without the session's CSRF token (as another page would) is refused.
    forged = browser.evaluate(
        """fetch('/admin/site/preview', {method: 'POST',
             body: new URLSearchParams({op: 'settings', name: 'Giả mạo'})}).then(r => r.status)"""
    )
    assert forged == 403


def test_a_clerks_session_gets_403_on_admin(
    server: tuple[LiveServer, dict[str, str]], browser: Chromium
) -> None:
    live, _ = server
    sign_in(browser, f"{live.url}/admin", "lan")
    settle(browser, "document.querySelector('.error') !== null")
    assert browser.evaluate("fetch('/admin').then(r => r.status)") == 403
    assert "quản trị" in browser.evaluate("document.body.innerText")


@pytest.mark.parametrize(
    ("path", "drawn"),
    [
        ("/docs", "document.querySelector('.swagger-ui .info .title') !== null"),
        ("/redoc", "document.querySelector('.api-content h1') !== null"),
    ],
)
def test_the_api_docs_draw_themselves_from_this_server_alone(
    server: tuple[LiveServer, dict[str, str]], browser: Chromium, path: str, drawn: str
) -> None:
    live, _ = server
    browser.navigate(f"{live.url}{path}")
    settle(browser, drawn)
    title = browser.evaluate("document.querySelector('h1, h2').innerText")
    assert "motcua" in title
    # Every script, style and the API description came from this server. (ReDoc's sidebar
    # also asks cdn.redoc.ly for its maker's logo: an image the pages' policy blocks, which
    # the page does without.)
    origins = browser.evaluate(
        """[...new Set(performance.getEntriesByType('resource')
              .filter(e => ['script', 'link', 'css', 'fetch', 'xmlhttprequest']
                           .includes(e.initiatorType))
              .map(e => new URL(e.name).origin))]"""
    )
    assert origins == [live.url]
