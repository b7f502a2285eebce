"""The start-of-day summary (issue 14): one page, read back with pypdf — the day's visits with
their state, and "N more visits — see the Worklist" when they do not fit."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from infudesk.documents import build
from infudesk.documents.data import DaySummaryData, DayVisitLine, Letterhead
from infudesk.paths import DataPaths
from infudesk.services import worklist as wsv
from infudesk.services.access import Role
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from tests.conftest import MemoryKeyring
from tests.seeded import Template, copy_template, seed_template

LH = Letterhead("Lakeside Infusion Center", ("1200 N Lakeshore Dr", "Chicago, IL 60611"))
DAY = date(2026, 12, 7)


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def render(data: DaySummaryData) -> bytes:
    out = io.BytesIO()
    build(data, out)
    return out.getvalue()


def line(i: int, ready: bool = True) -> DayVisitLine:
    return DayVisitLine(
        f"Patient{i:03d}, Test",
        f"P{i:07d}",
        "infliximab (Remicade)",
        "Lakeshore Health",
        ready,
        "Ready" if ready else "2 to do",
        () if ready else ("Benefits not verified.", "No cost letter given for this visit."),
    )


def test_every_visit_with_its_state_when_they_fit() -> None:
    data = DaySummaryData(LH, DAY, (line(1), line(2, ready=False), line(3)), open_tasks=4)
    pages, text = text_of(render(data))
    assert pages == 1
    assert "Start of day" in text and "December 7, 2026" in text
    assert "3 visits: 2 ready, 1 with something to do; 4 open tasks." in text
    for i in (1, 2, 3):
        assert f"Patient{i:03d}, Test" in text and f"P{i:07d}" in text
    assert "Benefits not verified." in text and "Ready" in text and "2 to do" in text
    assert "more visit" not in text
    assert "Lakeside Infusion Center" in text


def test_too_many_visits_are_counted_on_the_one_page() -> None:
    visits = tuple(line(i, ready=i % 3 == 0) for i in range(1, 81))
    pages, text = text_of(render(DaySummaryData(LH, DAY, visits)))
    assert pages == 1
    shown = [i for i in range(1, 81) if f"Patient{i:03d}, Test" in text]
    assert shown == list(range(1, len(shown) + 1))  # in order, none skipped
    assert 5 < len(shown) < 80
    assert f"{80 - len(shown)} more visits — see the Worklist." in text


def test_no_visits() -> None:
    pages, text = text_of(render(DaySummaryData(LH, DAY, ())))
    assert pages == 1 and "No visits planned for this day." in text


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return seed_template(tmp_path_factory, "day-summary")


@pytest.fixture
def paths(data_dir: Path, memory_keyring: MemoryKeyring, seeded_template: Template) -> DataPaths:
    return copy_template(seeded_template, data_dir, memory_keyring)


def test_the_demo_day(store: Store) -> None:
    desk = Actor("desk", role=Role.FRONT_DESK.value)
    with store.session() as s:
        wl = wsv.build(s, desk, DAY, days=1)
        data = wsv.day_summary_data(s, desk, DAY)
        pdf = wsv.day_summary_pdf(s, desk, DAY)
    day_visits = [v for v in wl.visits if v.on == DAY]
    assert len(data.visits) == len(day_visits) > 0  # the demo has visits on that day
    # the days before that nobody recorded are on the worklist, not on the day's sheet
    assert any(v.on < DAY for v in wl.visits)
    # the ones with something to do first, so the page shows them before the ready ones
    assert [v.ready for v in data.visits] == sorted(v.ready for v in data.visits)
    pages, text = text_of(pdf)
    assert pages == 1
    flat = " ".join(text.split())
    shown = [v.mrn in flat for v in data.visits]
    k = sum(shown)
    assert k >= 8 and shown == [True] * k + [False] * (len(shown) - k)  # a prefix
    rest = len(data.visits) - k
    assert (f"{rest} more visit" in flat) == (rest > 0)
    ready = sum(1 for v in day_visits if v.ready)
    assert f"{len(day_visits)} visits: {ready} ready" in flat
