"""User-only files: the data folder and everything in it are 0700 (folders) / 0600 (files)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

POSIX = os.name == "posix"


def secure_file(path: Path) -> None:
    if POSIX:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)


def secure_dir(path: Path) -> None:
    if POSIX:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)


def secure_tree(root: Path) -> None:
    """chmod the folder and everything below it to user-only (a no-op on Windows, whose
    per-user profile folders are already private)."""
    if not POSIX or not root.is_dir():
        return
    secure_dir(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = Path(dirpath, d)
            if not p.is_symlink():
                secure_dir(p)
        for f in filenames:
            p = Path(dirpath, f)
            if not p.is_symlink():
                secure_file(p)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows has no directory handles)."""
    if not POSIX:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary name in the same folder, fsync, rename."""
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
