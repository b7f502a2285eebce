"""Naming controls for screen readers (ui/common/polish.py) must leave no Python wrapper of
Qt's layout items behind: PySide keeps each ``QLayout.itemAt`` result alive under its layout,
and once Qt deletes that item the wrapper points at freed memory; a list item made at that
address later crashed ``QListWidget.clear`` (the prior-auth case dialog, in CI)."""

# mypy: disable-error-code="no-untyped-def"

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from infudesk.ui.common.polish import name_controls


def _form() -> tuple[QWidget, dict[str, QLineEdit]]:
    root = QWidget()
    outer = QVBoxLayout(root)
    form = QFormLayout()
    outer.addLayout(form)
    fields = {k: QLineEdit() for k in ("deductible", "met", "tin", "phone")}
    form.addRow(QLabel("Deductible:"), fields["deductible"])
    form.addRow(QLabel("met so far:"), fields["met"])
    row = QHBoxLayout()
    outer.addLayout(row)  # before it is filled: PySide wraps the items of a filled one here
    row.addWidget(QLabel("TIN"))
    row.addWidget(fields["tin"])
    row.addWidget(QLabel("Phone"))
    row.addWidget(fields["phone"])
    return root, fields


def _live_layout_items() -> list[object]:
    """Python wrappers of layout items (not of layouts, which are QObjects PySide tracks)."""
    gc.collect()
    return [
        o for o in gc.get_objects() if isinstance(o, QLayoutItem) and not isinstance(o, QLayout)
    ]


def test_names_come_from_form_rows_and_the_label_before(qtbot) -> None:
    root, fields = _form()
    qtbot.addWidget(root)
    assert name_controls(root) == 4
    names = {k: w.accessibleName() for k, w in fields.items()}
    assert names == {
        "deductible": "Deductible",
        "met": "Deductible met so far",
        "tin": "TIN",
        "phone": "Phone",
    }


def test_naming_wraps_no_layout_item(qtbot) -> None:
    root, fields = _form()
    qtbot.addWidget(root)
    before = _live_layout_items()
    assert name_controls(root) == 4
    assert _live_layout_items() == before  # nothing new that Qt could delete under it


def test_lists_cleared_after_naming_many_forms_do_not_crash() -> None:
    """The crash itself, in a child process: name a form, delete its widgets, refill a list;
    many times over, so a freed layout item's address comes round again."""
    script = textwrap.dedent(
        """
        import shiboken6
        from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit
        from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget
        from infudesk.ui.common.polish import name_controls
        app = QApplication([])
        host = QWidget()
        row = QHBoxLayout(host)
        checklist = QListWidget()
        for n in range(4000):
            label, field = QLabel("Member ID"), QLineEdit()
            row.addWidget(label)
            row.addWidget(field)
            name_controls(host)
            assert field.accessibleName() == "Member ID"
            shiboken6.delete(label)
            shiboken6.delete(field)
            checklist.clear()
            for k in range(3):
                checklist.addItem(QListWidgetItem(f"document {k}"))
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
