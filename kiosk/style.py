"""The kiosk's look: big targets, calm colours, and a large-text high-contrast variant.

Sizes are pixels for a 1080-pixel short side (1920×1080 landscape or 1080×1920 portrait)
and scale with the window, so the same screens fit a 1366×768 panel or a 10-inch tablet.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_client.qt import FONT_FAMILY

REFERENCE_SHORT_SIDE = 1080
MIN_SCALE, MAX_SCALE = 0.45, 2.0


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    text: str
    muted: str
    header: str
    header_text: str
    card: str
    card_border: str
    card_pressed: str
    accent: str  # service names, the big number
    closed: str
    closed_text: str
    closed_reason: str
    priority: str
    priority_text: str
    banner: str
    banner_text: str
    alert: str
    alert_text: str
    good: str
    border_width: int


NORMAL = Palette(
    background="#eef2f7",
    text="#1d2733",
    muted="#4a5666",
    header="#0b4f9c",
    header_text="#ffffff",
    card="#ffffff",
    card_border="#c3ccd8",
    card_pressed="#d6e4f5",
    accent="#0b4f9c",
    closed="#e2e6ec",
    closed_text="#5b6776",
    closed_reason="#8a3a00",
    priority="#f6c343",
    priority_text="#2e2100",
    banner="#fff1c2",
    banner_text="#4d3900",
    alert="#fde4e1",
    alert_text="#8c1d18",
    good="#1b6b34",
    border_width=3,
)

HIGH_CONTRAST = Palette(
    background="#000000",
    text="#ffffff",
    muted="#ffffff",
    header="#000000",
    header_text="#ffd400",
    card="#000000",
    card_border="#ffd400",
    card_pressed="#333300",
    accent="#ffd400",
    closed="#000000",
    closed_text="#bdbdbd",
    closed_reason="#ffffff",
    priority="#ffd400",
    priority_text="#000000",
    banner="#ffd400",
    banner_text="#000000",
    alert="#ffffff",
    alert_text="#000000",
    good="#7dff9a",
    border_width=5,
)


def scale_for(width: int, height: int) -> float:
    """How much to scale the reference sizes for a window of this size."""
    short = max(1, min(width, height))
    return max(MIN_SCALE, min(MAX_SCALE, short / REFERENCE_SHORT_SIDE))


def stylesheet(scale: float = 1.0, contrast: bool = False) -> str:
    """The whole style sheet; `contrast` is the large-text high-contrast variant."""
    p = HIGH_CONTRAST if contrast else NORMAL
    text_scale = scale * (1.2 if contrast else 1.0)

    def px(size: float, text: bool = True) -> str:
        return f"{max(1, round(size * (text_scale if text else scale)))}px"

    b = f"{p.border_width}px"
    return f"""
QWidget {{ color: {p.text}; font-family: "{FONT_FAMILY}"; font-size: {px(28)}; }}
QMainWindow, #screen {{ background: {p.background}; }}
#header {{ background: {p.header}; border-bottom: {b} solid {p.card_border}; }}
#header QLabel {{ color: {p.header_text}; }}
#agency {{ font-size: {px(20)}; font-weight: 600; letter-spacing: 1px; }}
#site {{ font-size: {px(30)}; font-weight: 700; }}
#clock {{ font-size: {px(30)}; font-weight: 600; }}
QPushButton {{ background: {p.card}; border: {b} solid {p.card_border};
    border-radius: {px(18, False)}; padding: {px(10, False)} {px(22, False)};
    font-size: {px(28)}; font-weight: 600; color: {p.text}; }}
QPushButton:pressed {{ background: {p.card_pressed}; }}
QPushButton:disabled {{ color: {p.closed_text}; background: {p.closed}; }}
QPushButton#headerButton {{ font-size: {px(24)}; padding: {px(8, False)} {px(18, False)};
    background: {p.header}; color: {p.header_text}; border-color: {p.header_text}; }}
#title {{ font-size: {px(40)}; font-weight: 700; color: {p.text}; }}
#subtitle {{ font-size: {px(30)}; color: {p.muted}; }}
QPushButton#service {{ background: {p.card}; border-radius: {px(24, False)};
    min-height: {px(96, False)}; }}
QPushButton#service:pressed {{ background: {p.card_pressed}; }}
QPushButton#service[closed="true"], QPushButton#service:disabled {{ background: {p.closed};
    border-style: dashed; }}
#serviceName {{ font-size: {px(34)}; font-weight: 700; color: {p.accent}; }}
#serviceInfo {{ font-size: {px(25)}; color: {p.muted}; }}
#serviceName[closed="true"] {{ color: {p.closed_text}; }}
#serviceInfo[closed="true"] {{ color: {p.closed_reason}; font-weight: 600; }}
QPushButton#priority {{ background: {p.priority}; color: {p.priority_text};
    border-color: {p.priority_text}; min-height: {px(100, False)}; }}
#priorityTitle {{ color: {p.priority_text}; font-size: {px(34)}; font-weight: 800;
    letter-spacing: 2px; }}
#priorityDetail {{ color: {p.priority_text}; font-size: {px(26)}; font-weight: 600; }}
#priorityBanner {{ background: {p.priority}; color: {p.priority_text};
    font-size: {px(36)}; font-weight: 800; border-radius: {px(14, False)};
    padding: {px(14, False)}; }}
QPushButton#group {{ font-size: {px(36)}; font-weight: 700; text-align: left;
    padding-left: {px(40, False)}; }}
QPushButton#primary {{ background: {p.accent}; color: {p.background};
    border-color: {p.accent}; font-size: {px(34)}; font-weight: 800;
    padding: {px(24, False)}; }}
QPushButton#secondary {{ font-size: {px(28)}; padding: {px(22, False)}; }}
#banner {{ background: {p.banner}; color: {p.banner_text}; font-size: {px(30)};
    font-weight: 700; border-radius: {px(14, False)}; padding: {px(14, False)}; }}
#alert {{ background: {p.alert}; color: {p.alert_text}; font-size: {px(30)};
    font-weight: 700; border-radius: {px(14, False)}; padding: {px(18, False)}; }}
#caption {{ font-size: {px(30)}; font-weight: 800; letter-spacing: 3px; color: {p.muted}; }}
#number {{ font-size: {px(230)}; font-weight: 800; color: {p.accent}; }}
#numberSmall {{ font-size: {px(150)}; font-weight: 800; color: {p.accent}; }}
#ticketService {{ font-size: {px(44)}; font-weight: 700; }}
#ticketLine {{ font-size: {px(34)}; }}
#badge {{ background: {p.priority}; color: {p.priority_text}; font-size: {px(28)};
    font-weight: 800; border-radius: {px(10, False)}; padding: {px(4, False)} {px(16, False)}; }}
#printing {{ font-size: {px(34)}; font-weight: 700; color: {p.good}; }}
#card {{ background: {p.card}; border: {b} solid {p.card_border};
    border-radius: {px(24, False)}; }}
#qr {{ background: #ffffff; border-radius: {px(12, False)}; }}
#display {{ font-size: {px(90)}; font-weight: 800; color: {p.accent}; background: {p.card};
    border: {b} solid {p.card_border}; border-radius: {px(18, False)}; }}
QPushButton#key {{ font-size: {px(48)}; font-weight: 700; }}
QPushButton#level {{ font-size: {px(38)}; font-weight: 800; border-width: {px(6, False)}; }}
QPushButton#reason {{ font-size: {px(30)}; text-align: left; padding-left: {px(30, False)}; }}
QPushButton#reason:checked {{ background: {p.card_pressed}; border-color: {p.accent}; }}
#counterName {{ font-size: {px(90)}; font-weight: 800; color: {p.accent}; }}
#clerkName {{ font-size: {px(54)}; font-weight: 700; }}
"""


# Colours of the rating buttons, from the least satisfied (red) to the most (green).
LEVEL_COLOURS = {
    3: ("#c62828", "#2e7d32", "#1565c0"),
    4: ("#c62828", "#8d6e00", "#2e7d32", "#1565c0"),
    5: ("#8e0000", "#c62828", "#8d6e00", "#2e7d32", "#1565c0"),
}


def level_style(size: int, score: int, scale: float = 1.0) -> str:
    """The style of one rating button (its colour says how good)."""
    colour = LEVEL_COLOURS.get(size, LEVEL_COLOURS[3])[min(score, size) - 1]
    radius = max(1, round(24 * scale))
    return (
        f"QPushButton {{ color: white; background: {colour}; border-color: {colour};"
        f" border-radius: {radius}px; }}"
        f"QPushButton:pressed {{ background: #333333; }}"
    )
