"""The report as an Excel workbook (openpyxl): a cover sheet with the centre, the period
and the definitions, then one sheet per grouping with the figures of the JSON summary.

Headers are Vietnamese, as the report a centre sends up; numbers are numbers (a cell
left empty where the JSON has null), so a province can add up its centres' sheets.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from queue_core.protocol import ReportRow, ReportSummary
from queue_core.report import Grouping
from queue_server.reports import ReportData, summaries

SHEET_TITLES = {
    Grouping.SERVICE: "Theo lĩnh vực",
    Grouping.COUNTER: "Theo quầy",
    Grouping.CLERK: "Theo cán bộ",
    Grouping.DAY: "Theo ngày",
    Grouping.HOUR: "Theo giờ",
}
KEY_HEADERS = {
    Grouping.SERVICE: "Mã lĩnh vực",
    Grouping.COUNTER: "Số quầy",
    Grouping.CLERK: "Tài khoản",
    Grouping.DAY: "Ngày",
    Grouping.HOUR: "Giờ lấy số",
}
FIGURE_HEADERS = (
    ("issued", "Số đã cấp"),
    ("called", "Đã gọi"),
    ("served", "Đã phục vụ"),
    ("no_show", "Vắng mặt"),
    ("cancelled", "Đã hủy"),
    ("expired", "Hết hạn"),
    ("wait_avg_minutes", "Chờ trung bình (phút)"),
    ("wait_p90_minutes", "Chờ P90 (phút)"),
    ("wait_max_minutes", "Chờ lâu nhất (phút)"),
    ("service_avg_minutes", "Phục vụ trung bình (phút)"),
    ("within_target_pct", "Chờ trong thời hạn (%)"),
)
SATISFACTION_HEADER = "Tỷ lệ hài lòng (%)"

DEFINITIONS = (
    (
        "Số đã cấp",
        "Số thứ tự cấp trong kỳ, kể cả tiếp công dân không lấy số; số bị hủy và "
        "số hết hạn cuối ngày được đếm riêng, không tính vào các chỉ số khác.",
    ),
    ("Đã gọi", "Số đã cấp được gọi ít nhất một lần."),
    ("Đã phục vụ", "Số đã hoàn thành."),
    ("Vắng mặt", "Số được gọi nhưng công dân không đến quầy."),
    (
        "Thời gian chờ",
        "Từ lúc lấy số đến lần gọi đầu tiên, tính trên các số đã gọi; "
        "trung bình, P90 (giá trị nhỏ nhất mà ít nhất 90 % số lượt chờ không vượt quá) và "
        "lâu nhất; đơn vị phút, làm tròn một chữ số thập phân.",
    ),
    ("Thời gian phục vụ", "Từ lần gọi cuối đến lúc hoàn thành, tính trên các số đã phục vụ."),
    (
        "Chờ trong thời hạn",
        "Tỷ lệ số đã gọi có thời gian chờ không quá thời hạn chờ của lĩnh vực (mặc định 20 phút).",
    ),
    ("Mức độ hài lòng", "Số lượt đánh giá theo từng mức của thang đánh giá."),
    (
        "Tỷ lệ hài lòng",
        "(Tổng lượt đánh giá − lượt ở mức thấp nhất) / tổng lượt × 100 "
        "(cách tính của Quyết định 766/QĐ-TTg).",
    ),
    ("Giờ, ngày", "Theo giờ lấy số, múi giờ của trung tâm."),
)

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F2")


def _day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _cover(book: Workbook, data: ReportData, made_at: datetime) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Thông tin"
    sheet.append(["BÁO CÁO TÌNH HÌNH PHỤC VỤ TẠI BỘ PHẬN MỘT CỬA"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["Đơn vị", data.site.site.name])
    sheet.append(
        ["Kỳ báo cáo", f"Từ {_day(data.first.isoformat())} đến {_day(data.last.isoformat())}"]
    )
    sheet.append(["Từ ngày", data.first])
    sheet.append(["Đến ngày", data.last])
    sheet.append(["Lập lúc", made_at.strftime("%d/%m/%Y %H:%M")])
    sheet.append([])
    sheet.append(["Định nghĩa các chỉ số"])
    sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    for term, meaning in DEFINITIONS:
        sheet.append([term, meaning])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
    for row in (5, 6):
        sheet.cell(row=row, column=2).number_format = "DD/MM/YYYY"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


def _values(row: ReportRow, key: object) -> list[object]:
    figures = [getattr(row, name) for name, _ in FIGURE_HEADERS]
    return [key, row.label, *figures, *row.ratings.values(), row.satisfaction_pct]


def _grouping(book: Workbook, data: ReportData, by: Grouping, report: ReportSummary) -> None:
    sheet = book.create_sheet(SHEET_TITLES[by])
    headers = [
        KEY_HEADERS[by],
        "Tên",
        *(title for _, title in FIGURE_HEADERS),
        *data.scale_levels(),
        SATISFACTION_HEADER,
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in report.rows:
        sheet.append(_values(row, row.key))
    sheet.append(_values(report.total, None))
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 28
    for column in range(3, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13


def workbook(data: ReportData, made_at: datetime) -> bytes:
    """The .xlsx file of the report `data`, made at `made_at` (the site's local time)."""
    book = Workbook()
    _cover(book, data, made_at)
    for by, report in summaries(data).items():
        _grouping(book, data, by, report)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
