"""The alert rules: which alerts should be active, from the moment and what is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_core.alerts import (
    ALERT_KINDS,
    DEVICE_SILENCE_S,
    Alert,
    DeviceHealth,
    ServiceWait,
    due_alerts,
    reconcile,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TARGET_S = 20 * 60


def wait(issued_ago_s: float | None, code: str = "TP") -> ServiceWait:
    issued = None if issued_ago_s is None else NOW - timedelta(seconds=issued_ago_s)
    return ServiceWait(code, "Tư pháp – Hộ tịch", TARGET_S, issued)


def device(heard_ago_s: float | None, printer: str | None = None) -> DeviceHealth:
    heard = None if heard_ago_s is None else NOW - timedelta(seconds=heard_ago_s)
    return DeviceHealth("Kiosk sảnh", heard, printer)


def test_the_kinds_are_the_contracts() -> None:
    assert set(ALERT_KINDS) == {
        "wait-over-target",
        "printer-paper-near-end",
        "printer-paper-out",
        "printer-offline",
        "device-offline",
    }


def test_a_wait_past_its_target_is_due_since_it_went_over() -> None:
    assert due_alerts(NOW, [wait(TARGET_S)], []) == {}  # exactly at the target: not past it
    assert due_alerts(NOW, [wait(None)], []) == {}
    found = due_alerts(NOW, [wait(TARGET_S + 1)], [])
    alert = found["wait-over-target", "TP"]
    assert alert.since == NOW - timedelta(seconds=1)
    assert alert.message == (
        "Lĩnh vực Tư pháp – Hộ tịch: có công dân đã chờ quá 20 phút chưa được gọi"
    )


def test_a_printers_trouble_is_due_by_its_state() -> None:
    kinds = {
        state: {k for k, _ in due_alerts(NOW, [], [device(1, state)])}
        for state in ("ok", "unknown", "paper-near-end", "paper-out", "offline", "cover-open")
    }
    assert kinds == {
        "ok": set(),
        "unknown": set(),
        "paper-near-end": {"printer-paper-near-end"},
        "paper-out": {"printer-paper-out"},
        "offline": {"printer-offline"},
        "cover-open": {"printer-offline"},
    }
    out = due_alerts(NOW, [], [device(1, "paper-out")])["printer-paper-out", "Kiosk sảnh"]
    assert out.message == "Máy in của Kiosk sảnh: hết giấy, không in được số"
    assert out.since == NOW


def test_a_device_unheard_for_90_s_is_offline_one_never_heard_is_not_installed() -> None:
    assert DEVICE_SILENCE_S == 90
    assert due_alerts(NOW, [], [device(89)]) == {}
    assert due_alerts(NOW, [], [device(None)]) == {}
    found = due_alerts(NOW, [], [device(90)])
    assert found["device-offline", "Kiosk sảnh"].since == NOW - timedelta(seconds=90)
    assert "không nhận được tín hiệu" in found["device-offline", "Kiosk sảnh"].message


def test_a_server_just_started_gives_devices_time_unless_their_alert_was_active() -> None:
    started = NOW - timedelta(seconds=30)
    silent = [device(3600)]  # heard an hour ago: before the server started
    assert due_alerts(NOW, [], silent, watching_since=started) == {}
    later = NOW + timedelta(seconds=60)
    assert ("device-offline", "Kiosk sảnh") in due_alerts(later, [], silent, watching_since=started)
    kept = due_alerts(
        NOW, [], silent, watching_since=started, active=[("device-offline", "Kiosk sảnh")]
    )
    assert ("device-offline", "Kiosk sảnh") in kept


def test_reconcile_raises_what_is_due_and_clears_what_is_not_keeping_the_rest() -> None:
    raised = Alert("printer-paper-out", "Kiosk sảnh", "hết giấy", NOW - timedelta(minutes=5), 7)
    gone = Alert("wait-over-target", "TP", "chờ quá", NOW - timedelta(minutes=9), 8)
    due = due_alerts(NOW, [wait(TARGET_S + 60, "DD")], [device(1, "paper-out")])
    result = reconcile(due, {raised.key: raised, gone.key: gone})
    assert [a.key for a in result.raised] == [("wait-over-target", "DD")]
    assert result.cleared == [gone]
    assert result
    assert not reconcile({raised.key: due[raised.key]}, {raised.key: raised})
