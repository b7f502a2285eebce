"""Patient data leaving the database (PDF letters, exports, document copies): all or nothing,
and never without its audit entry.

Every file is first written under a temporary name in its target folder, readable by the user
only (0600); then the audit entry is committed; only then is each file renamed into place.
Whatever fails before the renames (a full disk, a busy database, a refused audit) removes the
temporary files and any folder made for them: nothing is left behind. A target that exists is
refused unless ``force`` is given. If a rename itself fails afterwards (the target appeared in
the meantime), the files already moved are removed again; the committed audit entry then
records an attempt whose file is gone, which errs on the side of recording too much.

Messages name the folder the user chose, never a file name made from stored data.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from infudesk.errors import UserError

log = logging.getLogger(__name__)

NAME_MAX_BYTES = 255  # the limit of a file name on every common file system
FILE_MODE = 0o600
DIR_MODE = 0o700
_UNSAFE = set('<>:"/\\|?*')


class OutputError(UserError):
    """A file could not be written where asked (nothing was left behind)."""

    title = "Not saved"


def safe_name(name: str, *, max_bytes: int = NAME_MAX_BYTES, fallback: str = "file") -> str:
    """``name`` as a file name every system accepts: no folder parts, control or reserved
    characters, no leading dot, at most ``max_bytes`` bytes of UTF-8 (cut on a character
    boundary, the extension kept)."""
    name = unicodedata.normalize("NFC", name)
    cleaned = "".join(
        "_" if ch in _UNSAFE or unicodedata.category(ch)[0] == "C" else ch for ch in name
    )
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not ext.isalnum() or len(ext.encode("utf-8")) > 16:
        stem, ext = cleaned, ""
    suffix = f".{ext}" if ext else ""
    stem = stem.strip().lstrip(".").strip()
    room = max_bytes - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .")
    return (cut or fallback) + suffix


def _why(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or type(exc).__name__


def check_folder(folder: Path, *, what: str = "folder") -> list[Path]:
    """Refuse a ``folder`` that is (or lies under) a file; the missing folders, outermost last."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"{probe} is a file, not a folder: give a {what} to write into.")
    return missing


def prepare_folder(
    folder: Path, *, created: list[Path] | None = None, what: str = "folder", make: bool = True
) -> None:
    """Make sure ``folder`` is a folder infudesk can write in (made user-only if new, when
    ``make``); folders it makes are added to ``created`` (so a failure can remove them)."""
    missing = check_folder(folder, what=what)
    if missing and not make:
        raise OutputError(
            f"The file could not be saved: the folder {folder} does not exist. Choose another one."
        )
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"The folder {folder} cannot be made ({_why(exc)}). Nothing was saved."
            ) from None
        if created is not None:
            created.append(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"infudesk cannot write in {folder} (permission denied). Nothing was saved."
        )


class Staged:
    """Files written under temporary names beside their targets, not yet in place."""

    def __init__(
        self, *, force: bool, exists_hint: str = "use --force to replace it", make: bool = True
    ) -> None:
        self.force = force
        self.make = make
        self.exists_hint = exists_hint
        self.files: list[tuple[Path, Path]] = []  # (temporary, target)
        self.folders: list[Path] = []  # made for these files (removed again on failure)

    def add(self, target: Path, data: bytes, *, shown: str | None = None) -> None:
        """Write ``data`` for ``target`` (``shown``: how a message may name it)."""
        label = shown or str(target)
        if target.is_dir():
            raise OutputError(f"{label} is a folder: give a file name.")
        if target.exists() and not self.force:
            raise OutputError(f"{label} already exists: {self.exists_hint}.")
        prepare_folder(target.parent, created=self.folders, make=self.make)
        temp = target.parent / f".infudesk-{secrets.token_hex(6)}.part"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except OSError as exc:
            raise OutputError(
                f"infudesk cannot write in {target.parent} ({_why(exc)}). Nothing was saved."
            ) from None
        self.files.append((temp, target))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(
                f"infudesk could not write in {target.parent} ({_why(exc)}). Nothing was saved."
            ) from None

    def discard(self) -> None:
        for temp, _target in self.files:
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                log.warning("a temporary output file could not be removed")
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.files = []
        self.folders = []

    def publish(self) -> list[Path]:
        """Rename every file into place (replacing only with ``force``); all or nothing."""
        done: list[Path] = []
        try:
            for temp, target in self.files:
                if self.force:
                    os.replace(temp, target)
                else:
                    _move_no_replace(temp, target)
                done.append(target)
        except OSError as exc:
            for target in done:
                target.unlink(missing_ok=True)
            self.discard()
            if isinstance(exc, FileExistsError):
                raise OutputError(
                    "A file of the same name appeared while saving: nothing was saved; "
                    f"{self.exists_hint}."
                ) from None
            raise OutputError(f"The files could not be put in place ({_why(exc)}).") from None
        self.files = []
        self.folders = []
        return done


def _move_no_replace(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)  # fails if the target exists, whatever happened meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT, some network shares)
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(temp, target)
        return
    temp.unlink()


def deliver(
    session: Session,
    files: Iterable[tuple[Path, bytes]],
    *,
    force: bool,
    audit: Callable[[], None] | None = None,
    shown: Callable[[Path], str] | None = None,
    exists_hint: str = "use --force to replace it",
    make_folders: bool = True,
) -> list[Path]:
    """Stage ``files``, add the audit entry (``audit()``, unless the caller already did),
    commit the session, then put the files in place; returns the targets. Missing folders
    are made (user-only) when ``make_folders``; a chosen folder that is gone is refused."""
    staged = Staged(force=force, exists_hint=exists_hint, make=make_folders)
    try:
        for target, data in files:
            staged.add(target, data, shown=shown(target) if shown else None)
        if audit is not None:
            audit()
        session.commit()
    except BaseException:
        staged.discard()
        raise
    return staged.publish()
