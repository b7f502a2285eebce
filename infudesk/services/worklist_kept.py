"""The worklist kept from one run to the next (table ``worklist_snapshot``): what a start
loads instead of working out every visit and case of a big center again.

A kept worklist is the visit rows and the tasks before their assignments of one day and window,
as compressed JSON of plain lists (never pickle: the database is shared on a server, and what
is read back must not be able to run code), with the change counter it was built at and a hash
of the rules' code (:func:`rules_fingerprint`). One kept under other rules, another Python or
another time zone is never used. :mod:`infudesk.services.worklist` decides when to load and
when to save, and checks a loaded one against the same built afresh (``settle``).

Derived data only: losing it costs one whole build, never a record."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import sys
import threading
import types
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from infudesk.domain import worklist as dw
from infudesk.store import migrate
from infudesk.store.models import WorklistSnapshot
from infudesk.store.writers import lock_connection

log = logging.getLogger(__name__)

FORMAT = 1  # of the JSON below; a new format is another fingerprint
# the code a worklist is worked out by: every domain module (tests check the list against the
# package), the services that read the rows, and this codec
RULE_MODULES = (
    "infudesk.domain.assistance",
    "infudesk.domain.billing",
    "infudesk.domain.business_days",
    "infudesk.domain.costshare",
    "infudesk.domain.coverage",
    "infudesk.domain.fees",
    "infudesk.domain.figures",
    "infudesk.domain.money",
    "infudesk.domain.orders",
    "infudesk.domain.patients",
    "infudesk.domain.prior_auth",
    "infudesk.domain.quote_request",
    "infudesk.domain.readiness",
    "infudesk.domain.validation",
    "infudesk.domain.verification",
    "infudesk.domain.verified_benefits",
    "infudesk.domain.worklist",
    "infudesk.services.prior_auths",
    "infudesk.services.settings",
    "infudesk.services.worklist",
    "infudesk.services.worklist_kept",
    "infudesk.store.changes",
    "infudesk.store.models",
)


class Kept(NamedTuple):
    """A kept worklist as read back: its change counter, visit rows and bare tasks."""

    token: int
    visits: tuple[dw.VisitRow, ...]
    tasks: tuple[dw.Task, ...]


# --- the rules' fingerprint ------------------------------------------------------------------


@functools.cache
def rules_fingerprint() -> str | None:
    """A hash of the code of :data:`RULE_MODULES` (their compiled code as the importer holds
    it: the same from source files and from the built app's archive), the Python version, the
    schema, SQLAlchemy's version, this codec's format and the local time zone's offsets (printed
    estimates count on the local day). None when some module's code cannot be read: then
    nothing is kept. Worked out once per run."""
    h = hashlib.sha256()
    head = (sys.version_info[:2], sqlalchemy.__version__, migrate.HEAD, FORMAT, _zone())
    h.update(repr(head).encode())
    for name in RULE_MODULES:
        try:
            spec = importlib.util.find_spec(name)
            get_code = getattr(spec.loader, "get_code", None) if spec is not None else None
            code = get_code(name) if get_code is not None else None
        except (ImportError, OSError, SyntaxError, ValueError) as exc:
            log.info("worklist not kept between runs: %s unreadable (%s)", name, exc)
            return None
        if not isinstance(code, types.CodeType):
            log.info("worklist not kept between runs: no code for %s", name)
            return None
        h.update(name.encode())
        _feed(h, code)
    return h.hexdigest()


def _zone() -> tuple[int, ...]:
    """The local time zone's rules as its UTC offsets (minutes) at noon on the 1st and the 15th
    of every month of two years (names differ between systems: "EST", "Eastern Standard
    Time")."""
    return tuple(
        int((datetime(y, m, d, 12, tzinfo=UTC).astimezone().utcoffset() or timedelta()) // MINUTE)
        for y in (2026, 2027)
        for m in range(1, 13)
        for d in (1, 15)
    )


MINUTE = timedelta(minutes=1)


def _feed(h: Any, code: types.CodeType) -> None:
    """A code object's instructions, names and constants, nested code included (not its
    marshalled bytes: those vary with reference counts from one run to the next)."""
    h.update(code.co_qualname.encode())
    h.update(code.co_code)
    h.update(repr((code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)).encode())
    h.update(repr((code.co_argcount, code.co_kwonlyargcount, code.co_flags)).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed(h, const)
        else:
            h.update(_const(const).encode())


def _const(value: object) -> str:
    """A constant as text that is the same in every run (a frozenset's order is not)."""
    if isinstance(value, frozenset):
        return "frozenset(" + repr(sorted(_const(v) for v in value)) + ")"
    if isinstance(value, tuple):
        return "(" + ",".join(_const(v) for v in value) + ")"
    return repr(value)


# --- the codec ---------------------------------------------------------------------------------

_BLOCKER_KINDS = {k.value: k for k in dw.BlockerKind}
_TASK_KINDS = {k.value: k for k in dw.TaskKind}


def _target(t: dw.Target) -> list[Any]:
    return [t.screen, t.patient_id, t.record_id, t.coverage_id, t.order_id]


def encode(visits: Sequence[dw.VisitRow], tasks: Sequence[dw.Task]) -> bytes:
    """Visit rows and tasks as compressed JSON of plain lists (days as ordinals)."""
    doc = {
        "format": FORMAT,
        "visits": [
            [
                v.visit_id,
                v.patient_id,
                v.patient_name,
                v.mrn,
                v.on.toordinal(),
                v.order_id,
                v.drug,
                v.site,
                v.payer,
                str(v.status),
                [[str(b.kind), b.text, b.action, _target(b.target)] for b in v.blockers],
            ]
            for v in visits
        ],
        "tasks": [
            [
                t.key,
                str(t.kind),
                t.text,
                t.due.toordinal(),
                t.patient_id,
                t.patient_name,
                t.payer,
                t.assignee,
                str(t.status),
                _target(t.target),
            ]
            for t in tasks
        ],
    }
    return zlib.compress(json.dumps(doc, separators=(",", ":")).encode(), 6)


def decode(data: bytes) -> tuple[tuple[dw.VisitRow, ...], tuple[dw.Task, ...]]:
    """What :func:`encode` made, as equal rows and tasks; ``ValueError`` when it is not that
    (damaged, or another format)."""
    try:
        doc = json.loads(zlib.decompress(data))
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("another format")
        fromordinal = date.fromordinal
        target = dw.Target
        blocker = dw.Blocker
        row = dw.VisitRow
        task = dw.Task
        bkinds = _BLOCKER_KINDS
        tkinds = _TASK_KINDS
        visits = tuple(
            row(
                v[0],
                v[1],
                v[2],
                v[3],
                fromordinal(v[4]),
                v[5],
                v[6],
                v[7],
                v[8],
                v[9],
                tuple(blocker(bkinds[b[0]], b[1], b[2], target(*b[3])) for b in v[10]),
            )
            for v in doc["visits"]
        )
        tasks = tuple(
            task(
                t[0],
                tkinds[t[1]],
                t[2],
                fromordinal(t[3]),
                t[4],
                t[5],
                t[6],
                t[7],
                t[8],
                target(*t[9]),
            )
            for t in doc["tasks"]
        )
    except Exception as exc:  # whatever is wrong in it (bad zlib, JSON, shape, values)
        raise ValueError(f"not a kept worklist: {type(exc).__name__}") from exc
    return visits, tasks


# --- in the database ---------------------------------------------------------------------------


def _where(day: date, window: tuple[int, int], rules: str) -> Any:
    return (
        (WorklistSnapshot.day == day)
        & (WorklistSnapshot.days == window[0])
        & (WorklistSnapshot.unrecorded_days == window[1])
        & (WorklistSnapshot.rules == rules)
    )


# kept worklists this run will not use, per (engine, day, window): those kept at or before the
# counter here (found unreadable, or found wrong by the check); the next keep replaces them
_REFUSED: dict[tuple[Any, date, tuple[int, int]], int] = {}
_REFUSED_LOCK = threading.Lock()


def refuse(engine: Any, day: date, window: tuple[int, int], token: int) -> None:
    """Never use the worklist kept for this day and window at ``token`` or before (in this
    run): the next keep writes a good one in its place, even at the same counter."""
    with _REFUSED_LOCK:
        key = (engine, day, window)
        _REFUSED[key] = max(token, _REFUSED.get(key, token))


def _refused(engine: Any, day: date, window: tuple[int, int], token: int) -> bool:
    with _REFUSED_LOCK:
        return token <= _REFUSED.get((engine, day, window), -1)


def kept_token(session: Session, day: date, window: tuple[int, int]) -> int | None:
    """The change counter of the worklist kept for this day and window under these rules
    (None: none kept under them, or one refused)."""
    fp = rules_fingerprint()
    if fp is None:
        return None
    token = session.connection().scalar(
        select(WorklistSnapshot.token).where(_where(day, window, fp))
    )
    if token is None or _refused(session.get_bind().engine, day, window, token):
        return None
    return int(token)


def kept_days(session: Session) -> list[date]:
    """The days a worklist is kept for under these rules (any window), in order."""
    fp = rules_fingerprint()
    if fp is None:
        return []
    return list(
        session.connection().scalars(
            select(WorklistSnapshot.day)
            .where(WorklistSnapshot.rules == fp)
            .distinct()
            .order_by(WorklistSnapshot.day)
        )
    )


def load(session: Session, day: date, window: tuple[int, int], token: int) -> Kept | None:
    """The worklist kept for this day and window at ``token`` (as :func:`kept_token` said),
    or None when it is gone, replaced meanwhile or cannot be read (then it is built whole,
    and it is refused from then on)."""
    fp = rules_fingerprint()
    if fp is None:
        return None
    data = session.connection().scalar(
        select(WorklistSnapshot.data).where(
            _where(day, window, fp), WorklistSnapshot.token == token
        )
    )
    if data is None:
        return None
    try:
        visits, tasks = decode(bytes(data))
    except ValueError as exc:
        log.info("kept worklist of %s not used: %s", day, exc)
        refuse(session.get_bind().engine, day, window, token)
        return None
    return Kept(token, visits, tasks)


def save(
    session: Session,
    day: date,
    window: tuple[int, int],
    token: int,
    visits: Sequence[dw.VisitRow],
    tasks: Sequence[dw.Task],
) -> bool:
    """Keep this worklist of ``day`` built at ``token``, in place of an older one or of one
    refused (a newer one, kept meanwhile by another workstation, stays), and drop those of
    days gone by. Written on the session's connection, outside the unit of work: not a change
    any list must see (not counted, not logged); the caller commits (a short transaction: on
    a server this takes the writers' lock). Each version of the rules keeps its own (several
    versions or time zones on one server do not replace each other's). False when nothing
    was written (writes refused, rules unreadable, a newer one kept)."""
    fp = rules_fingerprint()
    if fp is None or session.info.get("refuse_writes"):
        return False
    engine = session.get_bind().engine
    conn = session.connection()
    where = _where(day, window, fp)
    old = conn.scalar(select(WorklistSnapshot.token).where(where))
    if old is not None and (old > token or old == token and not _refused(engine, day, window, old)):
        return False  # (read before the lock: nothing to write, no lock held)
    data = encode(visits, tasks)
    lock_connection(conn)  # on a server, one writer at a time (as every save)
    old = conn.scalar(select(WorklistSnapshot.token).where(where))
    if old is not None and old > token:
        return False
    conn.execute(delete(WorklistSnapshot).where(where))
    conn.execute(
        insert(WorklistSnapshot).values(
            day=day, days=window[0], unrecorded_days=window[1], rules=fp, token=token, data=data
        )
    )
    conn.execute(delete(WorklistSnapshot).where(WorklistSnapshot.day < day - timedelta(days=1)))
    with _REFUSED_LOCK:
        key = (engine, day, window)
        if _REFUSED.get(key, -1) <= token:
            _REFUSED.pop(key, None)
    return True
