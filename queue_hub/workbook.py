"""The province's Excel workbook: one sheet per grouping (centre, service, day, hour),
with the figures of the JSON summary, row for row."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from queue_core.protocol import HubReportBy, HubReportSummary, ReportRow
from queue_hub import reports
from queue_hub.store import HubStore

SHEETS: dict[HubReportBy, str] = {
    "centre": "Theo trung tâm",
    "service": "Theo lĩnh vực",
    "day": "Theo ngày",
    "hour": "Theo giờ",
}
HEADERS = [
    ("key", "Mã / Key"),
    ("label", "Tên / Name"),
    ("issued", "Số phiếu / Issued"),
    ("called", "Đã gọi / Called"),
    ("served", "Đã phục vụ / Served"),
    ("no_show", "Vắng mặt / No-show"),
    ("cancelled", "Đã hủy / Cancelled"),
    ("expired", "Hết hạn / Expired"),
    ("wait_avg_minutes", "Chờ TB (phút) / Wait avg (min)"),
    ("wait_p90_minutes", "Chờ P90 (phút) / Wait p90 (min)"),
    ("wait_max_minutes", "Chờ lâu nhất (phút) / Wait max (min)"),
    ("service_avg_minutes", "Phục vụ TB (phút) / Service avg (min)"),
    ("within_target_pct", "Đạt chỉ tiêu (%) / Within target (%)"),
    ("satisfaction_pct", "Hài lòng (%) / Satisfied (%)"),
]


def _cells(row: ReportRow) -> list[object]:
    values = row.model_dump()
    return [values[name] for name, _ in HEADERS]


def workbook(
    store: HubStore, first: str, last: str, centre: str
) -> tuple[bytes, list[HubReportSummary]]:
    """The workbook's bytes, and the summaries it holds (the same as the JSON's)."""
    book = Workbook()
    book.remove(book.active)
    summaries = [reports.summary(store, first, last, centre, by) for by in SHEETS]
    for summary in summaries:
        sheet = book.create_sheet(SHEETS[summary.by])
        sheet.append([f"{summary.from_} – {summary.to}", f"centre = {summary.centre}"])
        sheet.append([title for _, title in HEADERS])
        for row in summary.rows:
            sheet.append(_cells(row))
        sheet.append(_cells(summary.total))
    out = BytesIO()
    book.save(out)
    return out.getvalue(), summaries
