"""The desk's screen: a 1366×768 display less its task bar (1366×728) is the size every
window is made for, and a window or dialog is never opened larger than the screen it is on."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QWidget,
)

from infudesk.ui.common.polish import polish_on_show

DESK_WIDTH, DESK_HEIGHT = 1366, 728  # a 1366×768 screen less a 40 px task bar
DESK = QSize(DESK_WIDTH, DESK_HEIGHT)
FRAME = QSize(16, 40)  # room for a window's border and title bar before it has one


def available_area(widget: QWidget) -> QRect:
    """Where windows may go on the widget's screen (without the task bar or the dock)."""
    # (not QWidget.screen(): the screen it returns can be freed under the app, and the next
    # widget made then crashes; the screen under the window's middle, else the primary one)
    parent = widget.parentWidget()
    middle = (parent or widget).mapToGlobal((parent or widget).rect().center())
    screen = QGuiApplication.screenAt(middle) or QGuiApplication.primaryScreen()
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
    available part of its screen, frame included; returns the size given. Its controls get
    the wheel guard and accessible names each time it is shown (common/polish.py)."""
    area = available_area(widget).size() - frame_extra(widget)
    hint = widget.sizeHint()
    want = QSize(width or hint.width(), height or hint.height())
    size = want.boundedTo(area).expandedTo(QSize(1, 1))
    widget.resize(size)
    polish_on_show(widget)  # the wheel guard and accessible names, when shown
    return size


class ColumnSqueezer(QObject):
    """Keeps a table's columns inside the view: when the columns sized to their contents add
    up to more than the view is wide, the widest give up width first (down to their header's
    width), so every column stays on screen and long texts elide instead of scrolling off.
    Made by ``squeeze_columns``; lives on the view's viewport and re-applies itself when the
    viewport is resized (its width changes with the vertical scroll bar too)."""

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.natural: list[int] = []
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            view = watched.parentWidget()
            if isinstance(view, QAbstractItemView) and shiboken6.isValid(view):
                self.apply(view)
        return False

    def measure(self, view: QAbstractItemView) -> None:
        header = _header(view)
        if header is not None:
            self.natural = [header.sectionSize(c) for c in range(header.count())]

    def apply(self, view: QAbstractItemView) -> None:
        header = _header(view)
        if header is None or len(self.natural) != header.count():
            return
        width = view.viewport().width()
        if width < 100:  # not laid out yet
            return
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not shown:
            return
        floors = {c: min(self.natural[c], _title_width(header, c)) for c in shown}
        widths = squeezed({c: self.natural[c] for c in shown}, floors, width - 2)
        for c, w in widths.items():  # (a stretched last section still fills what is left)
            header.resizeSection(c, w)


def _header(view: QAbstractItemView) -> QHeaderView | None:
    return view.horizontalHeader() if isinstance(view, QTableView) else None


def _title_width(header: QHeaderView, column: int) -> int:
    """The width the column's title needs (its longest line), at least 48 px."""
    model = header.model()
    title = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else ""
    metrics = header.fontMetrics()
    lines = str(title or "").splitlines() or [""]
    return max(48, max(metrics.horizontalAdvance(line) for line in lines) + 16)


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


def squeeze_columns(view: QTableView) -> None:
    """Call after sizing a table's columns to their contents: they are kept inside the view
    (now and on every resize), the widest giving way first."""
    viewport = view.viewport()
    squeezer = viewport.findChild(ColumnSqueezer, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if squeezer is None:
        squeezer = ColumnSqueezer(viewport)
    squeezer.measure(view)
    squeezer.apply(view)


def relative_pt(factor: float) -> float:
    """A font size in points, ``factor`` times the application's font (the system's size,
    which the person may have made larger); never a pixel size."""
    base = QGuiApplication.font().pointSizeF()
    return round((base if base > 0 else 9.0) * factor, 1)


def scrolling(body: QWidget, name: str = "") -> QScrollArea:
    """``body`` in a frameless scroll area that resizes it to the room there is: on a small
    screen or with a large system font it scrolls instead of making its window larger."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(body)
    return area


def size_to_current(stack: QStackedWidget) -> None:
    """A stacked widget as large as its current page needs, not as its largest page: the
    pages not shown are given an Ignored size policy (one wide screen no longer makes every
    screen scroll, nor the window grow and never shrink). Call ``fit_pages`` again after
    adding a page."""
    stack.currentChanged.connect(lambda _index: fit_pages(stack))
    fit_pages(stack)


def fit_pages(stack: QStackedWidget) -> None:
    current = stack.currentWidget()
    for i in range(stack.count()):
        page = stack.widget(i)
        if page is None:
            continue
        own = page.property(OWN_POLICY)
        if not isinstance(own, QSizePolicy):
            own = page.sizePolicy()
            page.setProperty(OWN_POLICY, own)
        if page is current:
            page.setSizePolicy(own)
        else:
            page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    stack.updateGeometry()


OWN_POLICY = "deskOwnSizePolicy"  # a page's size policy while it is the current one


def unscrolled_size(window: QWidget, area: QScrollArea) -> QSize:
    """The window's size hint as if ``area`` showed all of its body (a scroll area's own
    hint is capped at a few dozen lines): the size to ask ``fit_to_screen`` for."""
    body = area.widget()
    hint = window.sizeHint()
    if body is None:
        return hint
    extra = body.sizeHint() - area.sizeHint()
    return hint + QSize(max(extra.width(), 0), max(extra.height(), 0))
