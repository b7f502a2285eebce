"""Who acts: the signed-in person (or a named system process) and the workstation.

Kept apart from services/audit (which needs SQLAlchemy and the models) so that the main window
can be made, and shown, before the database layer is imported.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field


def workstation_name() -> str:
    """This computer's host name (recorded with every audit entry)."""
    try:
        return socket.gethostname()[:100] or "unknown"
    except OSError:
        return "unknown"


@dataclass(frozen=True)
class Actor:
    """The person (or named system process) on whose behalf a service acts, and where."""

    name: str
    kind: str = "staff"
    workstation: str = field(default_factory=workstation_name)
    role: str = "manager"  # an access.Role value; system actors act as managers
    user_id: int | None = None  # the signed-in staff account (None: system or tests)
    display_name: str = ""

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(name=f"system:{what}", kind="system")
