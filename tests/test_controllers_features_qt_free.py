"""Every ui feature folder has a controller, and each imports without Qt (checked in a fresh
interpreter, so nothing another test imported hides a PySide6 import). The worklist branch adds
tests/test_controllers_qt_free.py with the same glob; this file also requires the eight features."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import infudesk.ui

UI = Path(infudesk.ui.__file__).parent
CONTROLLERS = sorted(UI.glob("*/controller.py"))
FEATURES = (
    "quote",
    "settings",
    "patients",
    "verification",
    "prior_auth",
    "fees",
    "payers",
    "letters",
)


def module_of(path: Path) -> str:
    return f"infudesk.ui.{path.parent.name}.controller"


def test_every_feature_folder_has_a_controller() -> None:
    assert {p.parent.name for p in CONTROLLERS} >= set(FEATURES)


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.parent.name)
def test_controller_imports_without_pyside6(path: Path) -> None:
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module_of(path)!r})\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('\\n'.join(qt))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "", f"{module_of(path)} imports Qt: {out.stdout.split()[:3]}"


def test_the_check_would_see_a_qt_import() -> None:
    """The subprocess check itself notices PySide6 (a view module imports it)."""
    code = "import sys, infudesk.ui.common.ops; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
