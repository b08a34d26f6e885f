"""The desk's look: calm colours, big targets, one font family named explicitly."""

from __future__ import annotations

BLUE = "#0b4f9c"


def style_sheet(family: str) -> str:
    """The sheet for the whole window (its dialogs included), in `family`."""
    return f'QWidget {{ font-family: "{family}"; }}\n' + STYLE


STYLE = f"""
QWidget {{ color: #1d2733; }}
QMainWindow, #root {{ background: #eef2f7; }}
#panel {{ background: white; border-radius: 12px; padding: 16px; }}
#panel QLabel {{ font-size: 12pt; }}
#panel QLabel#title {{ font-size: 22pt; font-weight: 700; color: {BLUE}; }}
#panel QLabel#muted {{ color: #5b6776; font-size: 10pt; }}
#panel QLabel#error {{ color: #b3261e; font-size: 12pt; }}
QLineEdit, QComboBox {{ font-size: 13pt; padding: 6px; }}
QListWidget#counters {{ font-size: 13pt; }}
QListWidget#counters::item {{ padding: 8px 4px; border-bottom: 1px solid #e3e9f1; }}
QListWidget#counters::item:selected {{ background: #cfe0f5; color: #1d2733; }}
QPushButton {{ font-size: 12pt; padding: 8px 14px; border-radius: 8px;
    background: #dfe6ef; border: 1px solid #c3ccd8; }}
QPushButton:disabled {{ color: #9aa4b0; background: #eceff3; border-color: #dde2e8; }}
QPushButton#primary {{ background: {BLUE}; color: white; font-weight: 700; border: none; }}
QPushButton#primary:disabled {{ background: #8fa9c9; color: #eef2f7; }}
QPushButton#primary QLabel {{ color: white; font-size: 13pt; font-weight: 700; }}
QPushButton#command {{ background: white; }}
QPushButton#command QLabel {{ font-size: 12pt; font-weight: 600; }}
QPushButton QLabel:disabled {{ color: #9aa4b0; }}
QPushButton#small QLabel {{ color: white; font-size: 10pt; }}
#bar QPushButton#barButton QLabel {{ color: #1d2733; font-size: 11pt; font-weight: 700; }}
#bar QPushButton#barButton QLabel:disabled {{ color: #9aa4b0; }}
QPushButton#warning {{ background: #f6c343; font-weight: 700; border: none; }}
QPushButton#warning QLabel {{ color: #3d2e00; font-weight: 700; }}
QPushButton#warning:disabled {{ background: #f5e7bd; }}
QPushButton#warning QLabel:disabled {{ color: #6b5a2a; }}
QPushButton#small {{ font-size: 10pt; padding: 4px 10px; background: #1d5fae; color: white;
    border: 1px solid #4c84c6; }}
#header {{ background: {BLUE}; }}
#header QLabel {{ color: white; }}
#place {{ font-size: 15pt; font-weight: 700; }}
#clerk {{ font-size: 12pt; padding-left: 12px; }}
#link {{ font-size: 11pt; font-weight: 600; padding: 3px 10px; border-radius: 10px; }}
#link[state="online"] {{ background: #d8f3dc; color: #1b6b34; }}
#link[state="connecting"] {{ background: #fff1c2; color: #7a5a00; }}
#link[state="offline"], #link[state="rejected"] {{ background: #fde4e1; color: #b3261e; }}
#banner {{ background: #fff1c2; color: #5c4300; font-size: 13pt; font-weight: 600;
    padding: 8px 12px; border-radius: 8px; }}
#alerts {{ background: #e8eef6; color: #1d3557; font-size: 12pt;
    padding: 6px 12px; border-left: 4px solid #7a93b5; border-radius: 4px; }}
#card {{ background: white; border-radius: 12px; }}
#caption {{ color: #5b6776; font-size: 12pt; font-weight: 600; letter-spacing: 2px; }}
#number {{ font-size: 88pt; font-weight: 800; color: {BLUE}; }}
#number[priority="true"] {{ color: #a35d00; }}
#service {{ font-size: 17pt; font-weight: 600; }}
#timer {{ font-size: 15pt; color: #3b4756; }}
#section {{ font-size: 13pt; font-weight: 700; color: #3b4756; padding-top: 6px; }}
#tile {{ background: white; border-radius: 10px; }}
#tileValue {{ font-size: 20pt; font-weight: 700; color: {BLUE}; }}
#tileCaption {{ color: #5b6776; font-size: 10pt; }}
#status {{ font-size: 12pt; color: #1b6b34; }}
#status[error="true"] {{ color: #b3261e; font-weight: 600; }}
QTableWidget {{ background: white; font-size: 13pt; border: none; border-radius: 10px;
    alternate-background-color: #f6f8fb; selection-background-color: #cfe0f5;
    selection-color: #1d2733; }}
QHeaderView::section {{ background: #e3e9f1; font-weight: 700; padding: 6px; border: none; }}
#bar {{ background: {BLUE}; }}
#bar QLabel {{ color: white; font-size: 13pt; font-weight: 600; padding: 0 6px; }}
#bar QLabel#barNumber {{ font-size: 24pt; font-weight: 800; }}
#bar QLabel#barLink {{ font-size: 10pt; }}
#bar QLabel#barAlerts {{ color: #ffe08a; }}
#bar QLabel#barLink[state="online"] {{ color: #8ff0a4; }}
#bar QLabel#barLink[state="offline"], #bar QLabel#barLink[state="rejected"] {{ color: #ffb4ab; }}
QPushButton#barButton {{ font-size: 11pt; font-weight: 700; padding: 4px 10px; }}
"""
