"""Every ``infudesk/ui/*/controller.py`` imports without Qt: each is imported in a fresh
interpreter, and PySide6 must not be among the modules loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import infudesk

UI = Path(infudesk.__file__).parent / "ui"
CONTROLLERS = sorted(UI.glob("*/controller.py"))


def test_controllers_exist() -> None:
    assert any(p.parent.name == "worklist" for p in CONTROLLERS)


@pytest.mark.parametrize("path", CONTROLLERS, ids=lambda p: p.parent.name)
def test_controller_imports_no_qt(path: Path) -> None:
    module = f"infudesk.ui.{path.parent.name}.controller"
    code = (
        "import importlib, sys; "
        f"importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{module} imports Qt: {done.stdout.strip()} {done.stderr[-2000:]}"
