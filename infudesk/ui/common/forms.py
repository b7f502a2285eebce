"""Form helpers: a field with its own error line, and the look of invalid fields."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #b00020;"
INVALID_PROPERTY = "invalid"


def grow_to_fit(window: QWidget) -> None:
    """Make a window big enough for what it now shows, never smaller than it is (a dialog the
    user sized, or one whose body scrolls, keeps its size), and never past the screen."""
    hint = window.sizeHint()
    width, height = max(window.width(), hint.width()), max(window.height(), hint.height())
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = max(window.width(), min(width, room.width()))
        height = max(window.height(), min(height, room.height()))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)


def set_flag(widget: QWidget, name: str, on: bool) -> None:
    """Set a style-sheet property (``invalid``, ``prefilled``) and restyle the widget."""
    widget.setProperty(name, on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldBox(QWidget):
    """An input widget with an error line under it (hidden until there is an error).

    The error goes away as soon as the user changes the field (typing, choosing, ticking):
    the message was about what was there before. A screen that checks a field as it is left
    sets the error again then.
    """

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
        self._clear_when_edited(field)

    def _clear_when_edited(self, field: QWidget) -> None:
        """Connected before any screen's own handlers, so a screen's live check (which sets
        the error again) runs after the clearing."""
        if isinstance(field, QLineEdit):
            field.textEdited.connect(self._edited)
        elif isinstance(field, QComboBox):
            field.activated.connect(self._edited)
        elif isinstance(field, QPlainTextEdit):
            field.textChanged.connect(self._edited_text)
        elif isinstance(field, QAbstractButton):
            field.clicked.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        if self.message:
            self.set_error(None)

    def _edited_text(self) -> None:
        if self.field.hasFocus():  # typed, not a screen filling the box
            self._edited()

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
            # make room for the new line instead of squeezing the fields (once laid out);
            # never shrink the dialog to its size hint (a scrolling checklist collapsed so)
            QTimer.singleShot(0, window, lambda: grow_to_fit(window))
        set_flag(self.field, INVALID_PROPERTY, bool(message))


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
