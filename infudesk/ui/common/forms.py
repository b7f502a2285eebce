"""Form helpers: a field with its own error line, and the look of invalid fields."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

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
        self.error.setWordWrap(False)
        self.error.hide()
        self.message = ""  # the error as written (the label holds it wrapped to the field)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(field)
        lay.addWidget(self.error)
        # keep the input its natural height when an error line appears under it
        if isinstance(field, QLineEdit | QComboBox):
            field.setMinimumHeight(field.sizeHint().height())

    def _wrap(self, message: str) -> str:
        metrics = self.error.fontMetrics()
        width = max(self.field.width(), 220) - 4
        lines: list[str] = []
        for word in message.split():
            if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return "\n".join(lines)

    def set_error(self, message: str | None) -> None:
        self.message = message or ""
        was_visible = self.error.isVisible()
        # Wrapped by hand: form layouts size rows from height-for-width, which a word-wrapped
        # label under-reports, and the message would then overlap the next field.
        self.error.setText(self._wrap(message) if message else "")
        self.error.setVisible(bool(message))
        self.updateGeometry()
        parent = self.parentWidget()
        while parent is not None:  # form layouts cache row heights: have them measure again
            layout = parent.layout()
            if layout is not None:
                layout.invalidate()
            parent = parent.parentWidget()
        window = self.window()
        if bool(message) and not was_visible and isinstance(window, QDialog) and window.isVisible():
            # make room for the new line instead of squeezing the fields (once laid out)
            QTimer.singleShot(0, window.adjustSize)
        self.field.setProperty(INVALID_PROPERTY, bool(message))
        self.field.style().unpolish(self.field)
        self.field.style().polish(self.field)


def app_style(base_pt: float) -> str:
    """The application's style sheet, its font sizes relative to the system's (``base_pt``,
    the application font's point size): a larger system font makes titles larger too."""

    def pt(factor: float) -> str:
        return f"{round(base_pt * factor, 1)}pt"

    return f"""
*[invalid="true"] {{ border: 1px solid #b00020; background: #fff4f4; }}
QLabel#demoBanner {{ background: #ffcc00; color: #000; font-weight: bold; padding: 4px 8px; }}
QLabel#pageTitle {{ font-size: {pt(16 / 9)}; font-weight: 600; }}
QLabel#pageSubtitle {{ color: #555; }}
QListWidget#navigation {{ font-size: {pt(11 / 9)}; }}
QListWidget#navigation::item {{ padding: 8px 12px; }}
"""
