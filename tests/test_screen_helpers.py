"""The desk's size helpers on their own: columns that give way, a dialog capped to the screen,
a row of buttons that wraps, a wheel guard that needs no application-wide filter."""
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from infudesk.ui.common import screen
from infudesk.ui.common.flow import flow_row
from infudesk.ui.common.polish import guard_wheel, humanize
from infudesk.ui.common.screen import fit_to_screen, squeeze_columns, squeezed


def test_the_widest_columns_give_way_first() -> None:
    natural = {0: 80, 1: 400, 2: 300, 3: 60}
    floors = {0: 50, 1: 60, 2: 60, 3: 50}
    assert squeezed(natural, floors, 2000) == natural  # room for all: nothing changes
    fitted = squeezed(natural, floors, 500)
    assert sum(fitted.values()) <= 500
    assert fitted[0] == 80 and fitted[3] == 60  # the narrow ones keep their width
    assert fitted[1] == fitted[2] < 300  # the wide ones share one cap
    tight = squeezed(natural, floors, 100)  # less than the floors: the floors hold
    assert tight == {0: 50, 1: 60, 2: 60, 3: 50}


def test_a_table_keeps_every_column_in_view(qtbot: QtBot) -> None:
    table = QTableWidget(3, 4)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["Date", "Therapy order", "Why", "Next reminder"])
    for r in range(3):
        for c, text in enumerate(["12/01/2026", "x" * 80, "y" * 120, "11/30/2026 soon"]):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resize(600, 200)
    table.show()
    qtbot.waitExposed(table)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    assert header.length() > table.viewport().width()  # too wide as measured
    squeeze_columns(table)
    assert header.length() <= table.viewport().width()
    assert header.sectionSize(0) >= table.fontMetrics().horizontalAdvance("12/01/2026")
    table.resize(400, 200)  # narrower: squeezed again
    QApplication.processEvents()
    assert header.length() <= table.viewport().width() + 1


def test_a_dialog_is_never_larger_than_the_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def small(widget: QWidget) -> QRect:
        return QRect(0, 0, 1024, 600)

    monkeypatch.setattr(screen, "available_area", small)
    dlg = QDialog()
    qtbot.addWidget(dlg)
    size = fit_to_screen(dlg, 1180, 860)
    assert size.width() <= 1024 - screen.FRAME.width()
    assert size.height() <= 600 - screen.FRAME.height()
    assert dlg.size() == size
    assert fit_to_screen(dlg, 500, 300).width() == 500  # smaller than the screen: as asked


def test_a_row_of_buttons_wraps_instead_of_widening(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    buttons = [QPushButton(f"A long button label {i}") for i in range(8)]
    row = flow_row(*buttons)
    host.setLayout(row)
    one_line = row.sizeHint().width()
    assert row.minimumSize().width() < one_line / 4  # as narrow as one button
    host.resize(one_line // 2, 200)
    host.show()
    qtbot.waitExposed(host)
    assert row.heightForWidth(one_line // 2) > 2 * buttons[0].sizeHint().height()
    assert {b.geometry().y() for b in buttons} != {buttons[0].geometry().y()}  # two lines +
    assert all(b.geometry().right() <= host.width() for b in buttons)


def wheel(widget: QWidget) -> None:
    event = QWheelEvent(
        QPointF(widget.rect().center()),
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_leaves_unfocused_spin_boxes_and_dates_alone(qtbot: QtBot) -> None:
    area = QScrollArea()
    qtbot.addWidget(area)
    body = QWidget()
    lay = QVBoxLayout(body)
    combo, spin, day = QComboBox(), QSpinBox(), QDateEdit()
    combo.addItems(["one", "two", "three"])
    spin.setValue(5)
    for w in (combo, spin, day):
        lay.addWidget(w)
    area.setWidget(body)
    guard_wheel(body)
    area.show()
    qtbot.waitExposed(area)
    before = (combo.currentIndex(), spin.value(), day.date())
    for w in (combo, spin, day):
        assert w.focusPolicy() == Qt.FocusPolicy.StrongFocus  # not focused by the wheel
        wheel(w)
    assert (combo.currentIndex(), spin.value(), day.date()) == before
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    spin.setFocus()
    assert spin.hasFocus()
    wheel(spin)
    assert spin.value() != 5  # focused: it turns


def test_object_names_read_as_words() -> None:
    assert humanize("payerFilter") == "Payer filter"
    assert humanize("show_inactive") == "Show inactive"
