"""The admin pages' site forms, turned into a new site: the stored one with one form's
change (a service saved, a counter retired, the hours…), validated as the site file is.

Pure: a form's fields in, a `SiteConfig` out, or `FormErrors` with one Vietnamese (or
English) line per problem, named as a person reads the form. What the change does is the
planner's to say (`queue_core.site_change`), as for `motcua site apply`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from queue_core.site import SiteConfig
from queue_server.pages.i18n import N_

Translate = Callable[[str], str]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "-"  # a weekday's field that reads "-": no issuing that day

LABELS = {
    "code": N_("Code"),
    "name": N_("Name"),
    "prefix": N_("Prefix"),
    "digits": N_("Digits"),
    "daily_cap": N_("Daily cap"),
    "average_service_minutes": N_("Average service time (minutes)"),
    "waiting_target_minutes": N_("Waiting target (minutes)"),
    "number": N_("Number"),
    "services": N_("Services served"),
    "call_mode": N_("Call order"),
    "agency": N_("Agency"),
    "call_phrase": N_("Call phrase"),
    "ticker": N_("Board ticker"),
    "spotlight_seconds": N_("Latest call spotlighted (seconds)"),
    "history": N_("Recent calls listed"),
    "reading": N_("Numbers read"),
    "repeat": N_("Times each call is said"),
    "rating_scale": N_("Rating scale"),
    "rating_reasons": N_("Reasons offered with a low rating"),
    "priority_ratio": N_("Priority calls in a row"),
    "default": N_("Every day"),
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
    "closed_dates": N_("Closed dates"),
    "working_dates": N_("Extra working dates"),
}

_PROBLEMS = {
    "missing": N_("is required"),
    "string_too_short": N_("must not be empty"),
    "too_short": N_("must not be empty"),
    "string_pattern_mismatch": N_("has characters that are not allowed"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be more than {gt}"),
    "less_than_equal": N_("must be at most {le}"),
    "literal_error": N_("must be one of {expected}"),
    "enum": N_("must be one of {expected}"),
    "date_from_datetime_parsing": N_("must be a date (dd/mm/yyyy)"),
    "date_parsing": N_("must be a date (dd/mm/yyyy)"),
    "date_type": N_("must be a date (dd/mm/yyyy)"),
}


# The site model's own rules, whose sentences are English and name key paths: each said
# again as the form says it. A sentence not listed here is shown as it is.
_RULES = (
    (
        re.compile(r"counters\[(?P<i>\d+)\]\.services: unknown service '(?P<code>[^']*)'"),
        N_("Counter {counter} — Services served: there is no service {code}"),
    ),
    (
        re.compile(r"counters\[(?P<i>\d+)\]\.services: service '(?P<code>[^']*)' is retired"),
        N_(
            "Counter {counter} — Services served: service {code} is retired (take it off"
            " the counter, or retire the counter too)"
        ),
    ),
    (
        re.compile(
            r"services\[(?P<i>\d+)\]\.prefix: '(?P<prefix>[^']*)' clashes with"
            r" services\[(?P<j>\d+)\]\.prefix '(?P<other>[^']*)'"
        ),
        N_(
            "Service {code} — Prefix: {prefix} clashes with the prefix {other} of service"
            " {other_code} (one begins the other, so numbers could repeat)"
        ),
    ),
    (
        re.compile(r"(?:services|counters)\[(?P<i>\d+)\]\.\w+: '(?P<value>[^']*)' appears twice"),
        N_("{value} appears twice"),
    ),
    (
        re.compile(r"boards\[(?P<i>\d+)\]\.counters: unknown counter '(?P<value>[^']*)'"),
        N_("Board {board}: there is no counter {value}"),
    ),
    (
        re.compile(r"boards\[(?P<i>\d+)\]\.services: unknown service '(?P<value>[^']*)'"),
        N_("Board {board}: there is no service {value}"),
    ),
    (
        re.compile(r"boards\[(?P<i>\d+)\]\.\w+: a value appears twice"),
        N_("Board {board}: a counter or service is listed twice"),
    ),
    (
        re.compile(r"the phrase needs both \{number\} and \{counter\}"),
        N_("the phrase needs both {{number}} and {{counter}}"),
    ),
    (
        re.compile(r"'(?P<text>[^']*)' is not a window like '07:30-11:30'"),
        N_("{text} is not a window like 07:30-11:30"),
    ),
    (
        re.compile(r"window '(?P<text>[^']*)' ends before it starts"),
        N_("the window {text} ends before it starts"),
    ),
    (
        re.compile(r"(?P<day>\S+) is both in closed_dates and in working_dates"),
        N_("{day} is both a closed date and an extra working date"),
    ),
)


def _cell(rows: object, index: str | None, key: str) -> str:
    if not isinstance(rows, list) or index is None or int(index) >= len(rows):
        return ""
    return str(rows[int(index)].get(key, ""))


def _rule(message: str, data: Mapping[str, Any], _: Translate) -> str:
    """A rule's English sentence as the form says it, in the person's language."""
    for pattern, template in _RULES:
        found = pattern.search(message)
        if found is None:
            continue
        context = {k: v for k, v in found.groupdict().items() if v is not None}
        i, j = context.pop("i", None), context.pop("j", None)
        context.setdefault("counter", _cell(data.get("counters"), i, "number"))
        context.setdefault("code", _cell(data.get("services"), i, "code"))
        context["other_code"] = _cell(data.get("services"), j, "code")
        context.setdefault("board", _cell(data.get("boards"), i, "name"))
        return _(template).format(**context)
    return message


class FormErrors(Exception):
    """A form that does not make a valid site: one line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


def site_data(site: SiteConfig) -> dict[str, Any]:
    """The site as plain data a form changes (what TOML would hold)."""
    return site.model_dump(mode="json", exclude_none=True)


def validated(data: dict[str, Any], _: Translate) -> SiteConfig:
    """`data` as a site, or FormErrors naming each problem as the form does."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise FormErrors([describe(error, data, _) for error in exc.errors()]) from exc


def describe(error: Any, data: Mapping[str, Any], _: Translate) -> str:
    """One validation problem as a person reads it: "Lĩnh vực TP — Tiền tố: …"."""
    where: list[str] = []
    loc = list(error["loc"])
    if len(loc) >= 2 and loc[0] in ("services", "counters", "boards") and isinstance(loc[1], int):
        items = data.get(str(loc[0]), [])
        item = items[loc[1]] if loc[1] < len(items) else {}
        if loc[0] == "services":
            where.append(_("Service") + f" {item.get('code', loc[1] + 1)}")
        elif loc[0] == "counters":
            where.append(_("Counter") + f" {item.get('number', loc[1] + 1)}")
        else:
            where.append(_("Board") + f" {item.get('name', loc[1] + 1)}")
        loc = loc[2:]
    named = [str(part) for part in loc if isinstance(part, str) and part in LABELS]
    if named:
        where.append(_(LABELS[named[-1]]))
    template = _PROBLEMS.get(error["type"])
    context = {k: _shown(v) for k, v in (error.get("ctx") or {}).items()}
    if template is not None:
        problem = _(template).format(**context) if context else _(template)
    else:  # a rule's own sentence (a unique code, an unknown service…)
        problem = _rule(error["msg"].removeprefix("Value error, "), data, _)
    return f"{' — '.join(where)}: {problem}" if where else problem


def _shown(value: object) -> str:
    return str(value).replace("'", "")


# --- fields --------------------------------------------------------------------------------


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").strip()


def _optional_text(form: Mapping[str, str], name: str) -> str | None:
    return _text(form, name) or None


def _number(form: Mapping[str, str], name: str) -> int | str | None:
    """A whole number, None when blank; the text itself when it is not a number, for the
    validation to name it."""
    text = _text(form, name)
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def _decimal(form: Mapping[str, str], name: str) -> float | str | None:
    text = _text(form, name).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _put(item: dict[str, Any], name: str, value: object) -> None:
    if value is None:
        item.pop(name, None)
    else:
        item[name] = value


def _codes(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


def _dates(text: str, _: Translate) -> list[str]:
    """Dates one per line (or comma), as dd/mm/yyyy or yyyy-mm-dd, in ISO form."""
    found = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        for layout in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                found.append(datetime.strptime(part, layout).date().isoformat())
                break
            except ValueError:
                continue
        else:
            raise FormErrors([f"«{part}»: " + _("must be a date (dd/mm/yyyy)")])
    return sorted(set(found))


def _windows(text: str) -> list[str]:
    return [part.strip().replace(" ", "") for part in re.split(r"[,;]+", text) if part.strip()]


def shown_dates(values: list[date] | list[str]) -> str:
    return "\n".join(
        (d if isinstance(d, date) else date.fromisoformat(d)).strftime("%d/%m/%Y") for d in values
    )


# --- the changes a form makes ----------------------------------------------------------------


def _service(data: dict[str, Any], code: str, _: Translate) -> dict[str, Any]:
    for item in data["services"]:
        if item["code"] == code:
            found: dict[str, Any] = item
            return found
    raise FormErrors([_("Service") + f" {code}: " + _("there is no such service")])


def _counter(data: dict[str, Any], number: int | str | None, _: Translate) -> dict[str, Any]:
    for item in data["counters"]:
        if item["number"] == number:
            found: dict[str, Any] = item
            return found
    raise FormErrors([_("Counter") + f" {number}: " + _("there is no such counter")])


def save_service(data: dict[str, Any], form: Mapping[str, str], _: Translate) -> None:
    code = _text(form, "code")
    if form.get("new"):
        if any(item["code"] == code for item in data["services"]):
            raise FormErrors([_("Service") + f" {code}: " + _("this code is already used")])
        item: dict[str, Any] = {"code": code}
        data["services"].append(item)
    else:
        item = _service(data, code, _)
    item["name"] = _text(form, "name")
    item["prefix"] = _text(form, "prefix").upper()
    _put(item, "digits", _number(form, "digits"))
    _put(item, "daily_cap", _number(form, "daily_cap"))
    _put(item, "waiting_target_minutes", _number(form, "waiting_target_minutes"))
    _put(item, "average_service_minutes", _decimal(form, "average_service_minutes"))


def retire_service(data: dict[str, Any], code: str, retired: bool, _: Translate) -> None:
    """Retire a service (or bring it back). Retiring takes it off the counters that
    serve it; a counter left with nothing to serve is retired with it."""
    _service(data, code, _)["retired"] = retired
    if not retired:
        return
    for counter in data["counters"]:
        if counter.get("retired") or code not in counter["services"]:
            continue
        others = [c for c in counter["services"] if c != code]
        if others:
            counter["services"] = others
        else:
            counter["retired"] = True


def save_counter(data: dict[str, Any], form: Mapping[str, str], _: Translate) -> None:
    number = _number(form, "number")
    if form.get("new"):
        if any(item["number"] == number for item in data["counters"]):
            raise FormErrors([_("Counter") + f" {number}: " + _("this number is already used")])
        item: dict[str, Any] = {"number": number}
        data["counters"].append(item)
        data["counters"].sort(key=lambda c: c["number"] if isinstance(c["number"], int) else 0)
    else:
        item = _counter(data, number, _)
    _put(item, "name", _optional_text(form, "name"))
    item["services"] = _codes(form.get("services", ""))
    item["call_mode"] = _text(form, "call_mode") or "longest_waiting"


def retire_counter(
    data: dict[str, Any], number: int | str | None, retired: bool, _: Translate
) -> None:
    _counter(data, number, _)["retired"] = retired


def _board(data: dict[str, Any], name: str, _: Translate) -> dict[str, Any]:
    for item in data.setdefault("boards", []):
        if item["name"] == name:
            found: dict[str, Any] = item
            return found
    raise FormErrors([_("Board") + f" {name}: " + _("there is no such board")])


def save_board(data: dict[str, Any], form: Mapping[str, str], _: Translate) -> None:
    """A named wall board's counters and services (both empty: it shows every call)."""
    name = _text(form, "name")
    original = _text(form, "original")
    if original:
        item = _board(data, original, _)
    else:
        if any(b["name"] == name for b in data.setdefault("boards", [])):
            raise FormErrors([_("Board") + f" {name}: " + _("this name is already used")])
        item = {}
        data["boards"].append(item)
    item["name"] = name
    item["counters"] = [
        int(code) if code.isdigit() else code for code in _codes(form.get("counters", ""))
    ]
    item["services"] = _codes(form.get("services", ""))


def remove_board(data: dict[str, Any], name: str, _: Translate) -> None:
    data["boards"].remove(_board(data, name, _))


def save_hours(data: dict[str, Any], form: Mapping[str, str], _: Translate) -> None:
    hours: dict[str, Any] = {"default": _windows(form.get("default", "")) or ["00:00-24:00"]}
    for day in WEEKDAYS:
        text = _text(form, day)
        if text == CLOSED:
            hours[day] = []
        elif text:
            hours[day] = _windows(text)
    hours["closed_dates"] = _dates(form.get("closed_dates", ""), _)
    hours["working_dates"] = _dates(form.get("working_dates", ""), _)
    data["site"]["hours"] = hours
    _put(data["site"], "holidays", "VN" if form.get("holidays") == "VN" else None)


def save_settings(data: dict[str, Any], form: Mapping[str, str], _: Translate) -> None:
    site = data["site"]
    site["name"] = _text(form, "name")
    _put(site, "agency", _optional_text(form, "agency"))
    site["call_phrase"] = _text(form, "call_phrase")
    site["rating_scale"] = _number(form, "rating_scale")
    site["waiting_target_minutes"] = _number(form, "waiting_target_minutes")
    site["priority_ratio"] = _number(form, "priority_ratio")
    if "rating_reasons" in form:
        site["rating_reasons"] = [
            line.strip() for line in form["rating_reasons"].splitlines() if line.strip()
        ]
    display = data.setdefault("display", {})
    display["ticker"] = _text(form, "ticker")
    # The boards' voice and spotlight, where the form has them.
    for name in ("spotlight_seconds", "history", "repeat"):
        if name in form:
            display[name] = _number(form, name)
    if "reading" in form:
        display["reading"] = _text(form, "reading")


def changed_site(current: SiteConfig, form: Mapping[str, str], _: Translate) -> SiteConfig:
    """The site `current` with the change one form asks for (its field `op`).

    Raises:
        FormErrors: the form does not make a valid site; what is wrong, line by line.
    """
    data = site_data(current)
    op = form.get("op", "")
    if op == "service":
        save_service(data, form, _)
    elif op in ("service-retire", "service-restore"):
        retire_service(data, _text(form, "code"), op == "service-retire", _)
    elif op == "counter":
        save_counter(data, form, _)
    elif op in ("counter-retire", "counter-restore"):
        retire_counter(data, _number(form, "number"), op == "counter-retire", _)
    elif op == "board":
        save_board(data, form, _)
    elif op == "board-remove":
        remove_board(data, _text(form, "name"), _)
    elif op == "hours":
        save_hours(data, form, _)
    elif op == "settings":
        save_settings(data, form, _)
    else:
        raise FormErrors([_("Unknown change")])
    return validated(data, _)
