"""Where infudesk keeps its files: one place, overridable by --data-dir and INFUDESK_DATA_DIR."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from infudesk import APP_NAME

ENV_DATA_DIR = "INFUDESK_DATA_DIR"
DB_NAME = "infudesk.db"
DEMO_KEY_NAME = "demo-key.txt"
STORE_ID_NAME = "store-id.txt"
LOCK_NAME = "infudesk.lock"


def default_data_dir(demo: bool = False) -> Path:
    """The platform's per-user data folder (a separate 'demo' folder for the demo database)."""
    base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base / "demo" if demo else base


def resolve_data_dir(cli_value: str | os.PathLike[str] | None, demo: bool = False) -> Path:
    """--data-dir wins, then INFUDESK_DATA_DIR, then the platform default."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        base = Path(env).expanduser().resolve()
        return base / "demo" if demo else base
    return default_data_dir(demo)


@dataclass(frozen=True)
class DataPaths:
    """The files inside one data dir."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def demo_key(self) -> Path:
        return self.root / DEMO_KEY_NAME

    @property
    def store_id(self) -> Path:
        return self.root / STORE_ID_NAME

    @property
    def lock(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> None:
        """Create the folder (only for the owner where the platform allows)."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
