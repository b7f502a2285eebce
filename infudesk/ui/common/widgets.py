"""A small form toolkit: named fields with error lines, typed readers, and value setters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from infudesk.domain.money import format_money, format_percent, parse_money, parse_percent
from infudesk.domain.patients import parse_date
from infudesk.ui.common.forms import FieldBox


def choice_combo(
    name: str, choices: Iterable[tuple[object, str]], tips: Mapping[Any, str] | None = None
) -> QComboBox:
    """A combo box of (value, label) choices, named for tests and style sheets. ``tips``
    says in full what a short label stands for: on the item in the open list, and on the box
    while that item is chosen."""
    combo = QComboBox()
    combo.setObjectName(name)
    for value, label in choices:
        combo.addItem(label, value)
        if tips and value in tips:
            combo.setItemData(combo.count() - 1, tips[value], Qt.ItemDataRole.ToolTipRole)
    if tips:

        def tip(_i: int = 0) -> None:
            combo.setToolTip(tips.get(combo.currentData(), ""))

        combo.currentIndexChanged.connect(tip)
        tip()
    # about 16 characters wide whatever its longest choice (a filter bar stays on screen with
    # a large font); the list that opens shows every choice in full
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    return combo


def title_bar(title: str, *filters: tuple[str, QWidget]) -> QHBoxLayout:
    """A screen's title followed by labelled filter widgets, left-aligned."""
    bar = QHBoxLayout()
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    bar.addWidget(heading)
    bar.addSpacing(16)
    for label, widget in filters:
        bar.addWidget(QLabel(label))
        bar.addWidget(widget)
    bar.addStretch(1)
    return bar


class Form:
    """Named input widgets, each in a FieldBox; reads typed values and shows errors."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self.today = today
        self.boxes: dict[str, FieldBox] = {}
        self.widgets: dict[str, QWidget] = {}
        self.parse_errors: dict[str, str] = {}

    # -- building ----------------------------------------------------------------------
    def _box(self, name: str, widget: QWidget) -> FieldBox:
        widget.setObjectName(name)
        box = FieldBox(widget, name)
        self.boxes[name] = box
        self.widgets[name] = widget
        return box

    def line(self, name: str, placeholder: str = "", max_length: int = 200) -> FieldBox:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        return self._box(name, edit)

    def combo(self, name: str, choices: Iterable[tuple[object, str]]) -> FieldBox:
        combo = QComboBox()
        for value, label in choices:
            combo.addItem(label, value)
        return self._box(name, combo)

    def check(self, name: str, label: str) -> FieldBox:
        return self._box(name, QCheckBox(label))

    def text(self, name: str, height: int = 60) -> FieldBox:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(height)
        box = self._box(name, edit)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        return box

    # -- reading -----------------------------------------------------------------------
    def value(self, name: str) -> str:
        w = self.widgets[name]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            return str(w.currentData())
        assert isinstance(w, QLineEdit)
        return w.text()

    def choice(self, name: str) -> object:
        w = self.widgets[name]
        assert isinstance(w, QComboBox)
        return w.currentData()

    def flag(self, name: str) -> bool:
        w = self.widgets[name]
        assert isinstance(w, QCheckBox)
        return w.isChecked()

    def day(self, name: str) -> date | None:
        text = self.value(name).strip()
        if not text:
            return None
        value = parse_date(text, self.today())
        if value is None:
            self.parse_errors[name] = "This is not a date: type it as MM/DD/YYYY."
        return value

    def money(self, name: str) -> Decimal | None:
        try:
            return parse_money(self.value(name))
        except ValueError as exc:
            self.parse_errors[name] = str(exc)
            return None

    def percent(self, name: str) -> Decimal | None:
        try:
            return parse_percent(self.value(name))
        except ValueError as exc:
            self.parse_errors[name] = str(exc)
            return None

    def integer(self, name: str) -> int | None:
        text = self.value(name).strip().replace(",", "")
        if not text:
            return None
        if not text.isdigit():
            self.parse_errors[name] = "Type a whole number."
            return None
        return int(text)

    def decimal(self, name: str) -> Decimal | None:
        text = self.value(name).strip().replace(",", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except ArithmeticError:
            value = Decimal("NaN")
        if not value.is_finite():
            self.parse_errors[name] = "Type a number, e.g. 5 or 72.5."
            return None
        return value

    # -- writing -----------------------------------------------------------------------
    def set(self, name: str, value: object) -> None:
        w = self.widgets[name]
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("" if value is None else str(value))
        else:
            assert isinstance(w, QLineEdit)
            if value is None:
                w.setText("")
            elif isinstance(value, date):
                w.setText(f"{value:%m/%d/%Y}")
            else:
                w.setText(str(value))

    def set_money(self, name: str, value: Decimal | None) -> None:
        self.set(name, format_money(value).lstrip("$") if value is not None else "")

    def set_percent(self, name: str, rate: Decimal | None) -> None:
        self.set(name, format_percent(rate).rstrip("%") if rate is not None else "")

    def show_errors(self, errors: dict[str, str], warnings: dict[str, str] | None = None) -> None:
        """Red messages under the fields (warnings in amber, prefixed 'Check:')."""
        warnings = warnings or {}
        for name, box in self.boxes.items():
            if name in errors:
                box.set_error(errors[name])
            elif name in warnings:
                box.set_error("Check: " + warnings[name])
            else:
                box.set_error(None)
        first = next((n for n in self.widgets if n in errors), None)
        if first is not None:
            self.widgets[first].setFocus()

    def snapshot(self) -> tuple[object, ...]:
        """Every field as shown (texts stripped, choices' values, ticks): two snapshots differ
        when the user changed something in between."""
        out: list[object] = []
        for name, w in self.widgets.items():
            if isinstance(w, QComboBox):
                out.append(w.currentData())
            elif isinstance(w, QCheckBox):
                out.append(w.isChecked())
            else:
                out.append(self.value(name).strip())
        return tuple(out)

    def begin_read(self) -> None:
        self.parse_errors = {}
