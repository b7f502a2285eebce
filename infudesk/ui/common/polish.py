"""What every form gets once it is built: the mouse wheel leaves a combo box, spin box or date
edit alone unless it has the focus (it scrolls the page instead), and every control has an
accessible name for screen readers. Per widget: no application-wide event filter."""

from __future__ import annotations

import re
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTabBar,
    QTextEdit,
    QWidget,
)

GUARDED = "wheelGuarded"  # a property set on each widget the guard is installed on
# the controls that must carry an accessible name
NAMED_TYPES = (
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractButton,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
)


class WheelGuard(QObject):
    """Installed on a combo box, spin box or date edit: a wheel turn over it without focus
    scrolls the page around it instead of changing its value."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False  # a control being worked on turns with the wheel, as usual
        area = _scroll_area(watched)
        if area is not None:
            bar = area.verticalScrollBar()
            if bar is not None and bar.isVisible():
                QApplication.sendEvent(bar, event)
        return True  # never the value


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QAbstractItemView):
            return parent
        parent = parent.parentWidget()
    return None


def guard_wheel(root: QWidget) -> None:
    """The wheel guard on every combo box, spin box and date edit under ``root``; they take
    the focus by click or Tab only (not by the wheel)."""
    guard = root.findChild(WheelGuard, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if guard is None:
        guard = WheelGuard(root)
    widgets: list[QWidget] = [*root.findChildren(QComboBox), *root.findChildren(QAbstractSpinBox)]
    if isinstance(root, QComboBox | QAbstractSpinBox):
        widgets.append(root)
    for widget in widgets:
        if widget.property(GUARDED):
            continue
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(guard)
        widget.setProperty(GUARDED, True)


# --- accessible names ------------------------------------------------------------------------


def _clean(text: str) -> str:
    """A label's text as a name: no mnemonic '&', no markup, no trailing colon or '*'."""
    text = re.sub(r"<[^>]+>", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = " ".join(text.split())
    return text.rstrip(" :*…").rstrip(".").strip() if text not in ("…", "...") else text


def humanize(object_name: str) -> str:
    """``payerFilter`` or ``payer_filter`` → "Payer filter"."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", object_name).replace("_", " ").split()
    return " ".join(words).capitalize()


def _form_label(widget: QWidget) -> str:
    """The label of the form row holding the widget (or the box around it)."""
    child: QWidget | None = widget
    for _ in range(3):  # the field, its error box (FieldBox), a holder row
        if child is None:
            return ""
        parent = child.parentWidget()
        layout = parent.layout() if parent is not None else None
        if layout is not None:
            label = _label_in(layout, child)
            if label:
                return label
        child = parent
    return ""


def _label_in(layout: QLayout, widget: QWidget) -> str:
    """The label of ``widget`` in ``layout`` (or a layout inside it): its form row's label
    ("met so far" under "Deductible" reads "Deductible met so far"), or the label just
    before it in a row of widgets.

    Never through ``QLayout.itemAt``: PySide keeps each layout item it hands out alive under
    the layout, and when Qt later deletes that item (its widget went away) the wrapper stays
    registered at a freed address; a list item made there later crashes ``QListWidget.clear``.
    Labels are found among the widget's QLabel siblings and placed with ``indexOf`` and
    ``getWidgetPosition``, which hand out no layout items."""
    if isinstance(layout, QFormLayout):
        row, _role = _form_position(layout, widget)
        field_label = layout.labelForField(widget)
        if isinstance(field_label, QLabel) and field_label.text().strip():
            text = _clean(field_label.text())
            if text[:1].islower() and row > 0:  # a row that goes on from the one above
                head = _label_at(layout, lambda lb: _form_position(layout, lb) == (row - 1, 0))
                if head is not None:
                    return f"{_clean(head.text())} {text}"
            return text
    if isinstance(layout, QHBoxLayout):
        index = layout.indexOf(widget)
        if index > 0:
            previous = _label_at(layout, lambda lb: layout.indexOf(lb) == index - 1)
            if previous is not None and not previous.buddy():
                return _clean(previous.text())
    for inner in layout.findChildren(QLayout, options=Qt.FindChildOption.FindDirectChildrenOnly):
        found = _label_in(inner, widget)
        if found:
            return found
    return ""


def _form_position(layout: QFormLayout, widget: QWidget) -> tuple[int, int]:
    """(row, 0 for a label / 1 for a field / 2 spanning), or (-1, -1) when not in the form."""
    position = layout.getWidgetPosition(widget)
    if not isinstance(position, tuple) or position[0] < 0:
        return -1, -1
    role = position[1]
    return position[0], role.value if isinstance(role, QFormLayout.ItemRole) else int(role)


def _label_at(layout: QLayout, where: Callable[[QLabel], bool]) -> QLabel | None:
    """The QLabel with some text, placed directly in ``layout``, for which ``where`` holds."""
    host = layout.parentWidget()
    if host is None:
        return None
    for label in host.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if label.text().strip() and where(label):
            return label
    return None


def _buddies(root: QWidget) -> dict[int, str]:
    names: dict[int, str] = {}
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and label.text().strip():
            names[id(buddy)] = _clean(label.text())
    return names


def _own_name(widget: QWidget) -> str:
    """What the control says itself: its text, placeholder or tool tip."""
    if isinstance(widget, QAbstractButton) and widget.text().strip():
        return _clean(widget.text())
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit) and widget.placeholderText():
        return _clean(widget.placeholderText())
    return _clean(widget.toolTip()) if widget.toolTip() else ""


def _group_title(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QGroupBox) and parent.title():
            return _clean(parent.title())
        parent = parent.parentWidget()
    return ""


def _inner_name(widget: QWidget) -> str:
    """Parts Qt makes inside other controls: a spin box's or combo box's line edit, a table's
    header, a line edit's clear button, the tab bar's scroll arrows."""
    parent = widget.parentWidget()
    if isinstance(parent, QAbstractSpinBox | QComboBox):
        return parent.accessibleName()
    if isinstance(widget, QHeaderView):
        vertical = widget.orientation() == Qt.Orientation.Vertical
        return "Row headers" if vertical else "Column headers"
    if isinstance(parent, QLineEdit) and isinstance(widget, QAbstractButton):
        return "Clear"
    if isinstance(parent, QTabBar) and isinstance(widget, QAbstractButton):
        return "Scroll the tabs"
    return ""


def name_controls(root: QWidget) -> int:
    """Give every control under ``root`` without an accessible name one: its label (buddy or
    form row), its own text, placeholder or tool tip, its group's title, or its object name;
    returns how many were named now."""
    buddies = _buddies(root)
    named = 0
    controls = [w for w in root.findChildren(QWidget) if isinstance(w, NAMED_TYPES)]
    # the outer controls first: a spin box's inner line edit is named after the spin box
    controls.sort(key=lambda w: isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox))
    for widget in controls:
        if widget.accessibleName() or not shiboken6.isValid(widget):
            continue
        name = (
            _inner_name(widget)
            or _form_label(widget)
            or buddies.get(id(widget), "")
            or _own_name(widget)
            or _group_title(widget)
            or humanize(widget.objectName())
        )
        if name:
            widget.setAccessibleName(name)
            named += 1
    return named


class Polisher(QObject):
    """Installed on a window or screen: each time it is shown, its controls (including those
    made since) get the wheel guard and their accessible names."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, QWidget):
            polish(watched)
        elif kind == QEvent.Type.ChildAdded and isinstance(watched, QStackedWidget):
            # a page made later (the patient page): watched once it is made. Never touch the
            # event's child here: it is still being constructed, and wrapping it for Python
            # then crashes later (a stale wrapper at a reused address).
            QTimer.singleShot(0, self, self._watch_pages)
        return False

    def _watch_pages(self) -> None:
        stack = self.parent()
        if isinstance(stack, QStackedWidget):
            for i in range(stack.count()):
                page = stack.widget(i)
                if page is not None and not _watched(page):
                    _watch(page)
                    if page.isVisible():  # shown before this turn: polished now
                        polish(page)


def _watched(widget: QWidget) -> bool:
    return widget.findChild(Polisher, options=Qt.FindChildOption.FindDirectChildrenOnly) is not None


def _watch(widget: QWidget) -> None:
    """A Polisher on ``widget`` (once)."""
    if not _watched(widget):
        widget.installEventFilter(Polisher(widget))


def polish(root: QWidget) -> None:
    guard_wheel(root)
    name_controls(root)
    for stack in root.findChildren(QStackedWidget):  # pages and tabs made or filled later
        _watch(stack)
        for i in range(stack.count()):
            page = stack.widget(i)
            if page is not None:
                _watch(page)


def polish_on_show(widget: QWidget) -> None:
    """Polish ``widget`` now and every time it is shown (a window, a screen, a tab)."""
    _watch(widget)
    polish(widget)
