"""Where the Worklist's one-click fixes lead, through the main window's own ways of switching
screens and opening a patient; and the counts shown in the navigation ("Prior auths 3")."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QWidget

from infudesk.domain.verification import Status
from infudesk.domain.worklist import Target
from infudesk.services import verifications as vs
from infudesk.ui.common.ops import Backend, attempt
from infudesk.ui.worklist import controller as c
from infudesk.ui.worklist.worklist_screen import WorklistScreen

log = logging.getLogger(__name__)
BASE_ROLE = Qt.ItemDataRole.UserRole + 7  # a navigation entry's title without its count
OPEN_VERIFICATION = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.PROBLEM)


class Window(Protocol):
    """What the worklist needs of the main window."""

    backend: Backend
    today: Callable[[], date]
    nav: QListWidget

    @property
    def worklist(self) -> WorklistScreen: ...

    def show_patient(self, patient_id: int) -> None: ...

    def show_patient_tab(self, patient_id: int, tab: str) -> None: ...

    def show_quote(self, patient_id: int) -> None: ...


def connect_window(window: Window, wl: WorklistScreen) -> None:
    """Wire the worklist's links and counts to the window (called once, as it is made)."""
    wl.target_requested.connect(lambda t, k: open_target(window, t, k))
    wl.patient_requested.connect(window.show_patient)
    wl.counts_changed.connect(lambda counts: show_counts(window.nav, counts))


def show_counts(nav: QListWidget, counts: Mapping[str, int]) -> None:
    """'Prior auths 3': each entry's title with its open count (none: the title alone)."""
    for i in range(nav.count()):
        item = nav.item(i)
        base = item.data(BASE_ROLE)
        if not isinstance(base, str):
            base = item.text()
            item.setData(BASE_ROLE, base)
        item.setText(c.nav_text(base, counts))
        item.setToolTip(c.nav_tooltip(base, counts))


def open_target(window: Window, target: Target, letter: str = "cost-letter") -> None:
    """Open the screen that fixes a blocker or works a task; the worklist reloads after."""
    wl = window.worklist
    parent: QWidget = wl
    backend, pid = window.backend, target.patient_id
    if target.screen == "verification":
        open_verification(parent, backend, window.today, target)
        wl.refresh()
    elif target.screen in ("prior_auth", "new_prior_auth"):
        open_prior_auth(parent, backend, window.today, target)
        wl.refresh()
    elif target.screen == "quote":
        window.show_quote(pid)
    elif target.screen == "assistance":
        window.show_patient_tab(pid, "assistance")
        select = getattr(_patient_tab(window, "assistance"), "select_enrollment", None)
        if callable(select) and target.record_id is not None:
            select(target.record_id)
    elif target.screen == "letters":
        from infudesk.ui.letters.letter_preview import show_letter

        dialog = show_letter(parent, backend, letter, pid, today=window.today())
        if dialog is not None:
            dialog.finished.connect(lambda _r: wl.refresh())
    elif target.screen == "visits":  # a visit gone by that nobody recorded
        window.show_patient_tab(pid, "visits")
    else:  # "patient": the coverage to update
        window.show_patient_tab(pid, "coverages")


def _patient_tab(window: Window, name: str) -> object:
    patients = getattr(window, "patients", None)
    page = getattr(patients, "page", None)
    return getattr(page, name, None)


def open_verification(
    parent: QWidget, backend: Backend, today: Callable[[], date], target: Target
) -> bool:
    """Continue the open checklist of the target, or start a new one for its coverage."""
    from infudesk.ui.verification.verification_dialog import run_checklist

    vid = target.record_id
    if vid is not None:
        known = vid
        rec = attempt(parent, lambda: backend.query(vs.get_verification, known))
        if rec is None:
            return False
        if rec.status not in OPEN_VERIFICATION:
            vid = None  # done or stale: verify again
    if vid is None:
        cov = target.coverage_id
        if cov is None:
            return False
        new = attempt(parent, lambda: backend.mutate(vs.start_verification, cov, target.order_id))
        if new is None:
            return False
        vid = new.id
    return run_checklist(parent, backend, today, vid, title="Benefits verification")


def open_prior_auth(
    parent: QWidget, backend: Backend, today: Callable[[], date], target: Target
) -> bool:
    """The case named by the target, or a new case for its coverage and order ("new_prior_auth":
    a new request following the case named, which the notes say), opened once created."""
    from infudesk.ui.prior_auth.prior_auth_dialog import open_case
    from infudesk.ui.prior_auth.prior_auth_tab import ask_new_case, new_case_following

    if target.screen == "prior_auth" and target.record_id is not None:
        return open_case(parent, backend, target.record_id, today)
    if target.record_id is not None:  # "new_prior_auth"
        saved = new_case_following(
            parent, backend, today, target.record_id, coverage_id=target.coverage_id
        )
    else:
        saved = ask_new_case(
            parent,
            backend,
            today,
            target.patient_id,
            coverage_id=target.coverage_id,
            order_id=target.order_id,
        )
    if saved is None:
        return False
    open_case(parent, backend, saved.id, today)
    return True
