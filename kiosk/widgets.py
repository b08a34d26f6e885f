"""Small widgets shared by the kiosk's screens."""

from __future__ import annotations

from typing import TypeVar

import qrcode
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from queue_client.i18n import Translator
from queue_core.protocol import ServiceOut

W = TypeVar("W", bound=QWidget)

ADMIN_HOLD_MS = 3000


def named(widget: W, name: str) -> W:
    """`widget` with its object name set, for the style sheet."""
    widget.setObjectName(name)
    return widget


def label(text: str = "", name: str = "", wrap: bool = True, center: bool = True) -> QLabel:
    widget = QLabel(text)
    # Plain text always: a clerk's pause reason or a name with "<b>" in it is shown as
    # typed, never rendered as markup on the citizens' screens.
    widget.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


def restyle(widget: QWidget, **properties: object) -> None:
    """Set dynamic properties and re-apply the style sheet rules that read them."""
    for key, value in properties.items():
        widget.setProperty(key, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class TouchButton(QPushButton):
    """A big touch target. The second press of a double tap is swallowed, and the button
    takes no keyboard focus (kiosks have no keyboard; a focus frame only confuses)."""

    def __init__(self, text: str = "", name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        if name:
            self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()


class CardButton(TouchButton):
    """A big button with a title and a wrapped detail line under it."""

    def __init__(
        self,
        name: str,
        title_name: str,
        detail_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("", name, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 10, 18, 10)
        layout.setSpacing(4)
        self.title = label(name=title_name)
        self.detail = label(name=detail_name)
        for part in (self.title, self.detail):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(part)

    def set_texts(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleName(f"{title}. {detail}")


class ServiceButton(CardButton):
    """One service (lĩnh vực): its name, and below it how many wait and for how long, or
    why no number can be taken now."""

    def __init__(self, service: ServiceOut, tr: Translator, parent: QWidget | None = None) -> None:
        super().__init__("service", "serviceName", "serviceInfo", parent)
        self.code = service.code
        self._tr = tr
        self.service = service
        self.update_service(service)

    def update_service(self, service: ServiceOut) -> None:
        _ = self._tr.gettext
        self.service = service
        if not service.open:
            detail = closed_reason(service, self._tr) or _("Not issuing numbers now")
        elif service.waiting == 0:
            detail = _("Nobody waiting")
        else:
            waiting = self._tr.ngettext(
                "%(n)d person waiting", "%(n)d people waiting", service.waiting
            ) % {"n": service.waiting}
            minutes = service.estimated_wait_minutes
            # As the ticket says it: "dưới 1 phút", never "khoảng 0 phút".
            wait = _("about %(m)d min") % {"m": minutes} if minutes else _("under 1 min")
            detail = f"{waiting} · {wait}"
        self.set_texts(service.name, detail)
        closed = "true" if not service.open else "false"
        for widget in (self, self.title, self.detail):
            restyle(widget, closed=closed)


def closed_reason(service: ServiceOut, tr: Translator) -> str:
    """The server's reason without the service's name, which the button already shows:
    "Đất đai: hết giờ lấy số — mở lại lúc 13:30" → "Hết giờ lấy số — mở lại lúc 13:30".
    A public holiday is said in the citizen's language, with its name in that language."""
    if service.holiday is not None:
        _ = tr.gettext
        name = service.holiday.en if tr.language == "en" else service.holiday.vi
        reason = _("Closed today for the public holiday: %(name)s") % {"name": name}
        if service.opens_at is not None:
            at = f"{service.opens_at:%H:%M %d/%m/%Y}"
            reason += " — " + _("opens again at %(at)s") % {"at": at}
        return reason
    if service.closed_early:  # a supervisor stopped issuing for the rest of today
        _ = tr.gettext
        return _("No more numbers today: please come back on the next working day")
    reason = service.closed_reason or ""
    prefix = f"{service.name}: "
    if reason.startswith(prefix):
        reason = reason[len(prefix) :]
        reason = reason[:1].upper() + reason[1:]
    return reason


class HoldLabel(QLabel):
    """A label that emits `held` when pressed for `ADMIN_HOLD_MS`: the hidden way in for
    staff, which a passing citizen will not trigger."""

    held = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._timer = QTimer(self, singleShot=True, interval=ADMIN_HOLD_MS)
        self._timer.timeout.connect(self.held)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._timer.start()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._timer.stop()
        event.accept()


class Header(QWidget):
    """The top bar: the centre's name (hold it for the staff menu), the language button and
    the large-text button."""

    language_clicked = Signal()
    contrast_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 10, 24, 10)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.agency = named(HoldLabel(), "agency")
        self.site = named(HoldLabel(), "site")
        self.site.setWordWrap(True)
        titles.addWidget(self.agency)
        titles.addWidget(self.site)
        layout.addLayout(titles, 1)
        self.contrast = TouchButton(name="headerButton")
        self.language = TouchButton(name="headerButton")
        for button in (self.contrast, self.language):
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)
            layout.addWidget(button)
        self.language.clicked.connect(self.language_clicked)
        self.contrast.clicked.connect(self.contrast_clicked)
        self.admin_held = self.site.held
        self.agency.held.connect(self.site.held)

    def set_site(self, agency: str | None, name: str) -> None:
        self.agency.setText(agency or "")
        self.agency.setVisible(bool(agency))
        self.site.setText(name)

    def retranslate(self, tr: Translator, contrast: bool) -> None:
        _ = tr.gettext
        # Each language's button is written in the language it switches to.
        self.language.setText("English" if tr.language == "vi" else "Tiếng Việt")
        self.contrast.setText(_("Normal text") if contrast else _("Large text"))


def qr_pixmap(data: str, size: int) -> QPixmap:
    """`data` as a QR code, `size` pixels square, black on white with a quiet zone."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    cell = max(1, size // modules)
    side = cell * modules
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * cell, y * cell, cell, cell, Qt.GlobalColor.black)
    painter.end()
    return QPixmap.fromImage(image)
