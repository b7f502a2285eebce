"""Form helpers: a field with its own error line, and the look of invalid fields."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

ERROR_STYLE = "color: #b00020;"
INVALID_PROPERTY = "invalid"


class FieldBox(QWidget):
    """An input widget with an error line under it (hidden until there is an error)."""

    def __init__(self, field: QWidget, name: str) -> None:
        super().__init__()
        self.field = field
        self.error = QLabel()
        self.error.setObjectName(f"error_{name}")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(field)
        lay.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.field.setProperty(INVALID_PROPERTY, bool(message))
        self.field.style().unpolish(self.field)
        self.field.style().polish(self.field)


APP_STYLE = """
*[invalid="true"] { border: 1px solid #b00020; background: #fff4f4; }
QLabel#demoBanner { background: #ffcc00; color: #000; font-weight: bold; padding: 4px 8px; }
QLabel#pageTitle { font-size: 16pt; font-weight: 600; }
QLabel#pageSubtitle { color: #555; }
QListWidget#navigation { font-size: 11pt; }
QListWidget#navigation::item { padding: 8px 12px; }
"""
