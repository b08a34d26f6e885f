"""The board's look: one style sheet, in pixels of a 1920×1080 screen times a scale.

A 4K screen gets scale 2, a 1366×768 one about 0.7, and a portrait screen is laid
out for 1080×1920; sizes were chosen to be read from 10 m on a 1080p TV (the
number in the spotlight is 270 px high there).
"""

from __future__ import annotations

BG = "#0a2342"
BAR = "#061629"
PANEL = "#0f2f57"
TITLE = "#8fb3e0"
TEXT = "#ffffff"
SOFT = "#c9d6ea"
NUMBER = "#ffd84a"
CALL = "#b3121b"
CALL_DIM = "#6e0b11"
STALE = "#6b7d96"
ALERT = "#d32f2f"

# Design sizes, in px at scale 1.
HEADER_H = 120
WAITING_H = 176
TICKER_H = 64
MARGIN = 24
GAP = 20


def style_sheet(family: str, scale: float, stale: bool = False) -> str:
    def px(size: float) -> str:
        return f"{max(1, round(size * scale))}px"

    number = STALE if stale else NUMBER
    text = STALE if stale else TEXT
    call = PANEL if stale else CALL
    call_dim = PANEL if stale else CALL_DIM
    return f"""
    QWidget {{ font-family: "{family}"; color: {TEXT}; }}
    #board {{ background: {BG}; }}
    #header {{ background: {BAR}; }}
    #ticker {{ background: {BAR}; }}
    QLabel[role="agency"] {{ font-size: {px(24)}; font-weight: 600; color: {SOFT}; }}
    QLabel[role="siteName"] {{ font-size: {px(40)}; font-weight: 700; }}
    QLabel[role="date"] {{ font-size: {px(30)}; font-weight: 500; color: {SOFT}; }}
    QLabel[role="time"] {{ font-size: {px(56)}; font-weight: 800; }}
    QLabel#banner {{
        background: {ALERT}; color: white; font-size: {px(40)}; font-weight: 700;
        padding: {px(14)};
    }}
    QFrame[role="panel"] {{ background: {PANEL}; border-radius: {px(14)}; }}
    QLabel[role="panelTitle"] {{
        font-size: {px(26)}; font-weight: 700; color: {TITLE}; letter-spacing: {px(2)};
    }}
    QWidget[role="row"] {{ border-top: {px(2)} solid rgba(255, 255, 255, 20); }}
    QLabel[role="callNumber"] {{ font-size: {px(52)}; font-weight: 800; color: {number}; }}
    QLabel[role="callCounter"] {{ font-size: {px(32)}; font-weight: 600; color: {SOFT}; }}
    QLabel[role="counterName"] {{ font-size: {px(40)}; font-weight: 600; }}
    QLabel[role="counterNumber"] {{ font-size: {px(64)}; font-weight: 800; color: {number}; }}
    QLabel[role="counterNumber"][state="paused"], QLabel[role="counterNumber"][state="closed"] {{
        font-size: {px(32)}; font-weight: 600; color: {STALE};
    }}
    #counters[dense="true"] QLabel[role="counterName"] {{ font-size: {px(30)}; }}
    #counters[dense="true"] QLabel[role="counterNumber"] {{ font-size: {px(46)}; }}
    QLabel[role="serviceName"] {{ font-size: {px(24)}; font-weight: 500; color: {SOFT}; }}
    QLabel[role="waitingCount"] {{ font-size: {px(44)}; font-weight: 800; color: {text}; }}
    #spotlight {{ border-radius: {px(18)}; background: {PANEL}; }}
    #spotlight[phase="on"] {{ background: {call}; }}
    #spotlight[phase="dim"] {{ background: {call_dim}; }}
    QLabel[role="spotCaption"] {{
        font-size: {px(44)}; font-weight: 600; color: {SOFT}; letter-spacing: {px(2)};
    }}
    QLabel[role="spotNumber"] {{ font-size: {px(270)}; font-weight: 800; color: {text}; }}
    #spotlight[phase="on"] QLabel[role="spotNumber"],
    #spotlight[phase="dim"] QLabel[role="spotNumber"] {{ color: {number}; }}
    #spotlight[phase="on"] QLabel[role="spotCaption"] {{ color: white; }}
    QLabel[role="spotCounter"] {{ font-size: {px(104)}; font-weight: 800; }}
    QLabel[role="spotService"] {{ font-size: {px(36)}; font-weight: 500; color: {SOFT}; }}
    """
