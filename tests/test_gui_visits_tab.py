"""The patient's Visits tab, clicked through the real patient page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from infudesk.demo.showcase import seed_demo
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.patients.patient_page import PatientPage
from tests.conftest import TODAY

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    return store


def test_next_patient_opens_with_their_next_visit_selected(qtbot: QtBot, seeded: Store) -> None:
    backend = Backend(seeded, Actor("desk.clerk"))
    page = PatientPage(backend, lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 728)
    page.show()
    with seeded.session() as s:
        ids = [ps.get_by_mrn(s, mrn).id for mrn in ("D0001", "D0002", "D0003", "D0004")]
    chosen = []
    for pid in ids:
        assert page.open_patient(pid)
        page.tabs.setCurrentWidget(page.visits)
        v = page.visits.current()
        if page.visits.records:
            # the previous patient's visit is not theirs: the next visit to come is chosen
            assert v is not None and v.on >= TODAY
            chosen.append(v.visit_id)
    assert len(chosen) >= 2
    page.grab().save("/tmp/va/visits-tab.png")
