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

import hashlib
import importlib.util
import json
import logging
import sys
import threading
import time
import types
import zlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

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
)


class Kept(NamedTuple):
    """A kept worklist as read back: its change counter, visit rows and bare tasks."""

    token: int
    visits: tuple[dw.VisitRow, ...]
    tasks: tuple[dw.Task, ...]


# --- the rules' fingerprint ------------------------------------------------------------------

_FINGERPRINT: list[str | None] = []
_FINGERPRINT_LOCK = threading.Lock()


def rules_fingerprint() -> str | None:
    """A hash of the code of :data:`RULE_MODULES` (their compiled code as the importer holds
    it: the same from source files and from the built app's archive), the Python version, the
    schema, this codec's format and the local time zone (printed estimates count on the local
    day). None when some module's code cannot be read: then nothing is kept. Worked out once
    per run."""
    with _FINGERPRINT_LOCK:
        if not _FINGERPRINT:
            _FINGERPRINT.append(_fingerprint())
        return _FINGERPRINT[0]


def _fingerprint() -> str | None:
    h = hashlib.sha256()
    head = (sys.version_info[:2], migrate.HEAD, FORMAT, time.tzname, time.timezone, time.altzone)
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
    except (zlib.error, UnicodeDecodeError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"not a kept worklist: {type(exc).__name__}") from exc
    return visits, tasks


# --- in the database ---------------------------------------------------------------------------


def _where(day: date, window: tuple[int, int]) -> Any:
    return (
        (WorklistSnapshot.day == day)
        & (WorklistSnapshot.days == window[0])
        & (WorklistSnapshot.unrecorded_days == window[1])
    )


# kept worklists found unreadable in this run, (engine, day, window, token): not offered again
# (the next settle keeps a good one in their place)
_UNREADABLE: set[tuple[Any, date, tuple[int, int], int]] = set()
_UNREADABLE_LOCK = threading.Lock()


def kept_token(session: Session, day: date, window: tuple[int, int]) -> int | None:
    """The change counter of the worklist kept for this day and window under these rules
    (None: none kept, kept by other rules, or found unreadable)."""
    fp = rules_fingerprint()
    if fp is None:
        return None
    row = (
        session.connection()
        .execute(select(WorklistSnapshot.token, WorklistSnapshot.rules).where(_where(day, window)))
        .first()
    )
    if row is None or row.rules != fp:
        return None
    with _UNREADABLE_LOCK:
        if (session.get_bind().engine, day, window, row.token) in _UNREADABLE:
            return None
    return int(row.token)


def load(session: Session, day: date, window: tuple[int, int], token: int) -> Kept | None:
    """The worklist kept for this day and window at ``token`` (as :func:`kept_token` said),
    or None when it is gone, replaced meanwhile or cannot be read (then it is built whole)."""
    fp = rules_fingerprint()
    row = (
        session.connection()
        .execute(
            select(WorklistSnapshot.token, WorklistSnapshot.rules, WorklistSnapshot.data).where(
                _where(day, window)
            )
        )
        .first()
    )
    if row is None or row.rules != fp or row.token != token:
        return None
    try:
        visits, tasks = decode(bytes(row.data))
    except ValueError as exc:
        log.info("kept worklist of %s not used: %s", day, exc)
        with _UNREADABLE_LOCK:
            _UNREADABLE.add((session.get_bind().engine, day, window, row.token))
        return None
    return Kept(token, visits, tasks)


def save(
    session: Session,
    day: date,
    window: tuple[int, int],
    token: int,
    visits: Sequence[dw.VisitRow],
    tasks: Sequence[dw.Task],
    *,
    replace: bool = False,
) -> bool:
    """Keep this worklist of ``day`` built at ``token`` (replacing an older one, or with
    ``replace`` one at the same counter found wrong; a newer one kept meanwhile, by another
    workstation, stays), and drop those of days gone by. Written on the session's connection,
    outside the unit of work: not a change any list must see (not counted, not logged). False
    when it was not written (writes refused, unknown rules, a newer one kept)."""
    fp = rules_fingerprint()
    if fp is None or session.info.get("refuse_writes"):
        return False
    conn = session.connection()
    lock_connection(conn)  # on a server, one writer at a time (as every save)
    old = conn.execute(
        select(WorklistSnapshot.token, WorklistSnapshot.rules).where(_where(day, window))
    ).first()
    if (
        old is not None
        and old.rules == fp
        and (old.token > token or old.token == token and not replace)
    ):
        return False
    data = encode(visits, tasks)
    conn.execute(delete(WorklistSnapshot).where(_where(day, window)))
    conn.execute(
        insert(WorklistSnapshot).values(
            day=day,
            days=window[0],
            unrecorded_days=window[1],
            rules=fp,
            token=token,
            data=data,
        )
    )
    conn.execute(delete(WorklistSnapshot).where(WorklistSnapshot.day < day - timedelta(days=1)))
    with _UNREADABLE_LOCK:
        _UNREADABLE.discard((session.get_bind().engine, day, window, token))
    return True
