"""The start-of-day summary: one page with the day's visits and their state (Ready, or what
still blocks each); the visits that do not fit are counted ("N more visits — see the
Worklist")."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable

from infudesk.documents import page as pg
from infudesk.documents import styles as st
from infudesk.documents.data import DaySummaryData, DayVisitLine
from infudesk.documents.text import long_date

m = st.markup
TITLE = "Start of day"
HEADER = ("Patient", "MRN", "Therapy", "Payer", "State")
MORE = "{n} more visit{s} — see the Worklist."
NONE = "No visits planned for this day."
SUMMARY = "{total} visit{s}: {ready} ready, {blocked} with something to do{tasks}."


def _widths() -> list[float]:
    w = pg.CONTENT_WIDTH
    return [w * 0.21, w * 0.12, w * 0.2, w * 0.15, w * 0.32]


def _row(v: DayVisitLine) -> list[str]:
    state = f"<b>{m(v.state)}</b>"
    if v.details:
        state += "".join(f'<br/><font size="7">· {m(d)}</font>' for d in v.details)
    return [f"<b>{m(v.patient_name)}</b>", m(v.mrn), m(v.drug), m(v.payer), state]


def _head(data: DaySummaryData) -> list[Flowable]:
    s = st.styles()
    total = len(data.visits)
    ready = sum(1 for v in data.visits if v.ready)
    tasks = f"; {data.open_tasks} open task{'s' if data.open_tasks != 1 else ''}"
    return [
        pg.para(m(f"{TITLE} · {long_date(data.day, 'en')}"), s.title),
        pg.para(
            m(
                SUMMARY.format(
                    total=total,
                    s="" if total == 1 else "s",
                    ready=ready,
                    blocked=total - ready,
                    tasks=tasks if data.open_tasks else "",
                )
            ),
            s.subtitle,
        ),
    ]


def _story(data: DaySummaryData, shown: int) -> list[Flowable]:
    s = st.styles()
    out = _head(data)
    if not data.visits:
        return [*out, pg.para(m(NONE))]
    rows = [_row(v) for v in data.visits[:shown]]
    if rows:
        out.append(pg.grid(list(HEADER), rows, _widths()))
    rest = len(data.visits) - shown
    if rest:
        out.append(pg.para(f"<b>{m(MORE.format(n=rest, s='' if rest == 1 else 's'))}</b>", s.body))
    return out


def _height(story: list[Flowable]) -> float:
    total = 0.0
    for f in story:
        _w, h = f.wrap(pg.CONTENT_WIDTH, 10_000)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def fitting(data: DaySummaryData, setup: pg.PageSetup) -> int:
    """How many visits fit on the one page (the rest are counted below them)."""
    room = pg.first_frame_height(setup) - 4  # a little slack for rounding
    n = len(data.visits)
    if _height(_story(data, n)) <= room:
        return n
    lo, hi = 0, n - 1  # the most rows that fit with the "more" line
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _height(_story(data, mid)) <= room:
            lo = mid
        else:
            hi = mid - 1
    return lo


def setup_for(data: DaySummaryData) -> pg.PageSetup:
    return pg.PageSetup(
        data.letterhead,
        None,
        data.day,
        "en",
        f"{TITLE} — {data.day:%m/%d/%Y}",
        footer=f"{TITLE} {data.day:%m/%d/%Y} · for the front desk: contains patient information",
    )


def story(data: DaySummaryData) -> list[Flowable]:
    """The page: the visits that fit, then how many more."""
    return _story(data, fitting(data, setup_for(data)))


def build(data: DaySummaryData, out: BinaryIO | Path) -> None:
    """Write the start-of-day summary as a one-page PDF to ``out``."""
    pg.render(story(data), setup_for(data), out)
