"""Roles and what each may do: services call ``require(actor, Permission.X)`` first."""

from __future__ import annotations

import enum

from infudesk.errors import UserError
from infudesk.services.actor import Actor


class Role(enum.StrEnum):
    """A staff member's role (stored by value in the staff table)."""

    FRONT_DESK = "front_desk"
    COUNSELOR = "counselor"
    MANAGER = "manager"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.FRONT_DESK: "Front desk",
    Role.COUNSELOR: "Financial counselor",
    Role.MANAGER: "Manager",
}


class Permission(enum.Enum):
    """One kind of work; the value is how a refusal names it."""

    PATIENTS = "change patient records"
    COVERAGES = "change coverages and orders"
    VERIFICATIONS = "work on benefit verifications"
    PRIOR_AUTHS = "work on prior authorizations"
    QUOTES = "save cost estimates"
    WORKLIST = "record visits and work on worklist tasks"
    LETTERS = "print or save letters"
    ASSISTANCE = "change assistance programs"
    FEES = "change the fee schedule"
    PAYERS = "change payers"
    EXPORT = "export patient records"
    SEED = "add generated patients"
    STAFF = "manage staff accounts"
    SETTINGS = "change settings"
    AUDIT = "read the audit log"
    BACKUP = "make backups, restore or check the database"


FRONT_DESK_WORK = frozenset(
    {
        Permission.PATIENTS,
        Permission.COVERAGES,
        Permission.VERIFICATIONS,
        Permission.PRIOR_AUTHS,
        Permission.QUOTES,
        Permission.LETTERS,
        Permission.WORKLIST,
    }
)
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: FRONT_DESK_WORK,
    Role.COUNSELOR: FRONT_DESK_WORK | {Permission.ASSISTANCE, Permission.FEES},
    Role.MANAGER: frozenset(Permission),
}


class PermissionDenied(UserError):
    """The signed-in role may not do this (the message names the role and the work)."""

    title = "Not allowed"


def role_of(actor: Actor) -> Role | None:
    try:
        return Role(actor.role)
    except ValueError:
        return None


def can(actor: Actor, permission: Permission) -> bool:
    role = role_of(actor)
    return role is not None and permission in GRANTS[role]


def require(actor: Actor, permission: Permission) -> None:
    """Raise PermissionDenied unless the actor's role grants ``permission``."""
    if can(actor, permission):
        return
    role = role_of(actor)
    who = ROLE_LABELS[role] if role is not None else f"the role '{actor.role}'"
    raise PermissionDenied(
        f"{actor.name} ({who}) may not {permission.value}. Ask a manager to do it, "
        "or to change your role."
    )
