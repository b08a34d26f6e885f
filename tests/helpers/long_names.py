"""A centre with the longest names seen on real screens, and a counter serving nine services:
what every window and dialog must fit on 1366×768 and 1920×1080 without losing a letter."""

from __future__ import annotations

SCREENS = ((1366, 768), (1920, 1080))

# Longer than any in the sample centre (its longest has 41 characters), as provinces name
# them after the 2025 reshuffle of the procedure catalogue.
SERVICES = (
    ("TP", "Tư pháp – Hộ tịch, chứng thực bản sao và chữ ký"),
    ("DD", "Đất đai – Đăng ký biến động quyền sử dụng đất"),
    ("LD", "Lao động – Thương binh và Xã hội, người có công"),
    ("XD", "Xây dựng – Quản lý đô thị, cấp phép xây dựng"),
    ("KD", "Tài chính – Kế hoạch (Đăng ký kinh doanh hộ cá thể)"),
    ("VH", "Văn hóa – Thông tin, Thể thao và Du lịch"),
    ("TN", "Tài nguyên – Môi trường và tài nguyên nước"),
    ("NN", "Nông nghiệp – Phát triển nông thôn và thủy lợi"),
    ("CA", "Cư trú – Căn cước, đăng ký thường trú (Công an xã)"),
)
CODES = tuple(code for code, _ in SERVICES)
# Counter 7 serves all nine: "Quầy 7 – Tiế…" was what the boards showed of its name.
COUNTERS = (
    (1, "Quầy 1 – Tư pháp, Hộ tịch và Chứng thực", ("TP",)),
    (2, "Quầy 2 – Đất đai và Tài nguyên môi trường", ("DD", "TN")),
    (3, "Quầy 3 – Lao động, Thương binh và Xã hội", ("LD",)),
    (4, "Quầy 4 – Xây dựng và Quản lý đô thị", ("XD", "KD")),
    (5, "Quầy 5 – Văn hóa, Thông tin và Nông nghiệp", ("VH", "NN")),
    (6, "Quầy 6 – Công an xã: Cư trú và Căn cước", ("CA",)),
    (7, "Quầy 7 – Tiếp nhận và trả kết quả tất cả các lĩnh vực", CODES),
    (8, "Quầy 8 – Ưu tiên người cao tuổi, người khuyết tật", CODES),
    (9, "Quầy 9 – Hướng dẫn và hỗ trợ dịch vụ công trực tuyến", ("TP", "DD")),
)
SITE_NAME = "Trung tâm Phục vụ hành chính công phường Nguyễn Thị Minh Khai, thành phố Hồ Chí Minh"


def site_text() -> str:
    """The site file: nine services, nine counters, the longest names."""
    lines = [
        "[site]",
        f'name = "{SITE_NAME}"',
        'agency = "ỦY BAN NHÂN DÂN PHƯỜNG NGUYỄN THỊ MINH KHAI"',
        "rating_scale = 5",
        "rating_reasons = ["
        '"Thời gian chờ đợi quá lâu so với thời gian hẹn trên phiếu", '
        '"Thái độ phục vụ của cán bộ, công chức chưa tốt", '
        '"Hướng dẫn thủ tục chưa rõ ràng, phải bổ sung hồ sơ nhiều lần"]',
        "",
    ]
    for index, (code, name) in enumerate(SERVICES, start=1):
        lines += ["[[services]]", f'code = "{code}"', f'name = "{name}"']
        lines += [f'prefix = "{index}"', "digits = 3", ""]
    for number, name, codes in COUNTERS:
        listed = ", ".join(f'"{c}"' for c in codes)
        lines += ["[[counters]]", f"number = {number}", f'name = "{name}"']
        lines += [f"services = [{listed}]", ""]
    return "\n".join(lines)
