"""The desk's screen: a 1366×768 display less its task bar (1366×728) is the size every
window is made for, and a window or dialog is never opened larger than the screen it is on."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QWidget

DESK_WIDTH, DESK_HEIGHT = 1366, 728  # a 1366×768 screen less a 40 px task bar
DESK = QSize(DESK_WIDTH, DESK_HEIGHT)
FRAME = QSize(16, 40)  # room for a window's border and title bar before it has one


def available_area(widget: QWidget) -> QRect:
    """Where windows may go on the widget's screen (without the task bar or the dock)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (a platform without one): the desk's size
        return QRect(0, 0, DESK_WIDTH, DESK_HEIGHT)
    return screen.availableGeometry()


def frame_extra(widget: QWidget) -> QSize:
    """What the window's frame adds to its size (a guess until the frame exists)."""
    frame, inner = widget.frameGeometry(), widget.geometry()
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    return extra if widget.isVisible() and extra.height() > 0 else FRAME


def fit_to_screen(widget: QWidget, width: int = 0, height: int = 0) -> QSize:
    """Size a top-level window to ``width``×``height`` (0: its size hint), no larger than the
    available part of its screen, frame included; returns the size given."""
    area = available_area(widget).size() - frame_extra(widget)
    hint = widget.sizeHint()
    want = QSize(width or hint.width(), height or hint.height())
    size = want.boundedTo(area).expandedTo(QSize(1, 1))
    widget.resize(size)
    return size


class ColumnSqueezer(QObject):
    """Keeps a table's columns inside the view: when the columns sized to their contents add
    up to more than the view is wide, the widest give up width first (down to their header's
    width), so every column stays on screen and long texts elide instead of scrolling off.
    Made by ``squeeze_columns``; re-applied when the view's viewport is resized."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self.natural: list[int] = []
        view.viewport().installEventFilter(self)  # its width changes with the scroll bar too

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def measure(self) -> None:
        header = self._header()
        if header is not None:
            self.natural = [header.sectionSize(c) for c in range(header.count())]

    def _header(self) -> QHeaderView | None:
        header = getattr(self.view, "horizontalHeader", None)
        return header() if callable(header) else None

    @staticmethod
    def _header_width(header: QHeaderView, column: int) -> int:
        """The width the column's title needs (its longest line), at least 48 px."""
        title = (
            header.model().headerData(column, Qt.Orientation.Horizontal) if header.model() else ""
        )
        metrics = header.fontMetrics()
        lines = str(title or "").splitlines() or [""]
        return max(48, max(metrics.horizontalAdvance(line) for line in lines) + 16)

    def apply(self) -> None:
        header = self._header()
        if header is None or len(self.natural) != header.count():
            return
        width = self.view.viewport().width()
        if width < 100:  # not laid out yet
            return
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        floors = {c: min(self.natural[c], self._header_width(header, c)) for c in shown}
        widths = squeezed({c: self.natural[c] for c in shown}, floors, width - 2)
        for c, w in widths.items():  # (a stretched last section still fills what is left)
            header.resizeSection(c, w)


def squeezed(natural: dict[int, int], floors: dict[int, int], budget: int) -> dict[int, int]:
    """Widths that fit ``budget``: every column capped at one common width (found by halving),
    none under its floor; the natural widths when they fit already."""
    if sum(natural.values()) <= budget:
        return dict(natural)
    low, high = 0, max(natural.values())
    while low < high:
        cap = (low + high + 1) // 2
        total = sum(max(floors[c], min(w, cap)) for c, w in natural.items())
        if total <= budget:
            low = cap
        else:
            high = cap - 1
    return {c: max(floors[c], min(w, low)) for c, w in natural.items()}


def squeeze_columns(view: QAbstractItemView) -> None:
    """Call after sizing a table's columns to their contents: they are kept inside the view
    (now and on every resize), the widest giving way first."""
    squeezer = view.findChild(ColumnSqueezer, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if squeezer is None:
        squeezer = ColumnSqueezer(view)
    squeezer.measure()
    squeezer.apply()
