"""What was seen on the demo: its prior-auth documents open in the app (and a file that cannot
be shown points at the Export… button that really exists)."""
# mypy: disable-error-code="no-untyped-call,union-attr"

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from infudesk.demo.showcase import seed_demo
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.prior_auth.prior_auth_dialog import DocumentViewer, PriorAuthDialog
from tests.conftest import TODAY
from tests.qt_helpers import when_modal

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY)
    return store


def test_the_demo_documents_open_in_the_app(qtbot: QtBot, seeded: Store) -> None:
    backend = Backend(seeded, Actor("desk.clerk"))
    with seeded.session() as s:
        pid = ps.get_by_mrn(s, "D0004").id
        case_id = pas.list_cases(s, today=TODAY, patient_id=pid, include_closed=True)[0].id
    dlg = PriorAuthDialog(backend, case_id, lambda: TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    docs = [d for d in dlg.record.documents if d.filename.endswith(".pdf")]
    assert len(docs) == 5  # the LMN, notes, card, order and the MRI report
    seen: list[DocumentViewer] = []

    def look(w: QWidget) -> None:
        assert isinstance(w, DocumentViewer)
        seen.append(w)
        w.reject()

    for doc in docs:
        when_modal(look)
        dlg.open_document(doc.id)
    assert len(seen) == len(docs)
    for viewer in seen:
        assert viewer.findChild(QLabel, "cannotShow") is None, viewer.windowTitle()
        assert isinstance(viewer.view, QPdfView)
        assert viewer.pdf is not None and viewer.pdf.pageCount() == 1


def test_a_file_that_cannot_be_shown_names_a_button_that_exists(
    qtbot: QtBot, seeded: Store
) -> None:
    backend = Backend(seeded, Actor("desk.clerk"))
    with seeded.session() as s:
        pid = ps.get_by_mrn(s, "D0004").id
        case_id = pas.list_cases(s, today=TODAY, patient_id=pid, include_closed=True)[0].id
    dlg = PriorAuthDialog(backend, case_id, lambda: TODAY)
    qtbot.addWidget(dlg)
    doc = dlg.record.documents[0]
    viewer = DocumentViewer(doc, b"%PDF-1.4 not really", dlg)
    qtbot.addWidget(viewer)
    label = viewer.findChild(QLabel, "cannotShow")
    assert label is not None
    offered = {b.text() for b in dlg.findChildren(QPushButton) if b.isVisibleTo(dlg)}
    in_viewer = {b.text() for b in viewer.findChildren(QPushButton)}
    assert "Export…" in label.text()
    assert "Export…" in offered and "Export…" not in in_viewer
    assert "Close this window" in label.text()  # says where the button is


def test_d0004_is_named_one_way_on_every_screen(qtbot: QtBot, seeded: Store) -> None:
    from infudesk.ui.letters.batch_letters import day_patients
    from infudesk.ui.main_window import MainWindow
    from infudesk.ui.patients.patient_model import Columns

    name = "王秀英 (Wang Xiuying)"
    w = MainWindow(Backend(seeded, Actor("desk.clerk")), today=lambda: TODAY)
    w.skip_close_checks = True  # type: ignore[attr-defined]
    qtbot.addWidget(w)
    w.show()
    with seeded.session() as s:
        pid = ps.get_by_mrn(s, "D0004").id
    # the list: the same name in its Name column, the preferred one beside it
    w.nav.setCurrentRow(w.row_of("patients"))
    w.patients.search_box.setText("D0004")
    w.patients.run_search()
    model = w.patients.model
    listed = model.data(model.index(0, Columns.NAME))
    preferred = model.data(model.index(0, Columns.PREFERRED))
    assert f"{listed} ({preferred})" == name
    # the page's header
    w.patients.open_patient(pid)
    assert w.patients.page.title.text() == name
    # the quote screen
    w.show_quote(pid)
    assert w.quotes.patient_label.text().startswith(f"{name} · MRN D0004")
    assert w.quotes.patient_name == name
    # the letter's preview and the day's batch of letters
    preview = w.quotes.open_cost_letter()
    assert preview is not None  # closed below (it deletes itself on close)
    assert f"for {name} · MRN D0004" in preview.findChild(QLabel, "letterHeading").text()
    assert f"— {name} (D0004)" in preview.windowTitle()
    preview.close()
    visit_day = next(
        d
        for d in (TODAY.fromordinal(TODAY.toordinal() + n) for n in range(1, 60))
        if any(p[0] == pid for p in backend_rows(seeded, d, day_patients))
    )
    rows = backend_rows(seeded, visit_day, day_patients)
    assert [p[1] for p in rows if p[0] == pid] == [name]


def backend_rows(store: Store, day: object, fn: object) -> list[tuple[int, str, str, str]]:
    with store.session() as s:
        return fn(s, day)  # type: ignore[operator,no-any-return]
