"""Readiness inside the quote (issue 10): the pure rules per visit (worked examples and a
property), the Quotes screen's warnings with their fix (D0004: the denied hospital, and the
offer to quote at the infusion center), and the CLI's choice of figures."""

from __future__ import annotations

import os
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from infudesk.demo.showcase import seed_demo
from infudesk.domain import prior_auth as pa
from infudesk.domain import readiness as rd
from infudesk.services import letters
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.store.database import Store
from infudesk.ui.common.ops import Backend
from infudesk.ui.quote.quote_screen import QuoteScreen
from tests.conftest import TODAY
from tests.test_cli import run_cli as letters_cli
from tests.test_letters import pdf_pages

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

D = date
PER_VISIT = {"J1745": 40, "96365": 1}  # D0001: 36 + 4 (JW) units of J1745, one first hour
APPROVAL = pa.Approval(
    "LKH-1",
    (pa.ApprovedLine("J1745", 280), pa.ApprovedLine("96365", 7)),
    7,
    D(2026, 1, 15),
    D(2026, 12, 31),
    "infusion_center",
)


def used(n: int) -> tuple[pa.Usage, ...]:
    return tuple(
        u
        for k in range(n)
        for u in (
            pa.Usage(D(2026, 1, 20) + timedelta(days=56 * k), "J1745", 40, True),
            pa.Usage(D(2026, 1, 20) + timedelta(days=56 * k), "96365", 1, False),
        )
    )


def facts(*cases: rd.AuthCase, site: str = "infusion_center", **kw: object) -> rd.Facts:
    verification = rd.VerificationFacts(1, D(2026, 11, 1), None, True)
    return rd.Facts(
        site=site,
        insured=True,
        units_per_visit=PER_VISIT,
        cases=cases,
        verification=kw.pop("verification", verification),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def kinds(found: tuple[rd.Finding, ...]) -> list[rd.Kind]:
    return [f.kind for f in found]


def test_an_approval_covers_visits_until_its_visits_run_out() -> None:
    # 7 visits approved, 6 used: the 12/22 visit is the 7th (covered); one more on 12/29 is the
    # 8th: out of visits (and of J1745 units: 280 − 7 × 40 = 0)
    case = rd.AuthCase(1, pa.State.APPROVED, "infusion_center", APPROVAL, used(6))
    today = D(2026, 11, 27)
    assert rd.findings([D(2026, 12, 22)], facts(case), today=today) == ()
    found = rd.findings([D(2026, 12, 22), D(2026, 12, 29)], facts(case), today=today)
    assert kinds(found) == [rd.Kind.PA_EXHAUSTED]
    assert found[0].visits == (D(2026, 12, 29),)
    # after the approval's end (12/31): expired for that visit
    found = rd.findings(
        [D(2027, 1, 5)], facts(rd.AuthCase(1, pa.State.APPROVED, "", APPROVAL)), today=today
    )
    assert kinds(found) == [rd.Kind.PA_EXPIRED] and found[0].on == D(2026, 12, 31)
    # approved for the infusion center, quoted at the hospital
    found = rd.findings([D(2026, 12, 22)], facts(case, site="hospital_outpatient"), today=today)
    assert kinds(found) == [rd.Kind.PA_OTHER_SITE]
    assert found[0].fix == rd.Fix("site", 1, "infusion_center")


def test_a_site_of_care_denial_flags_that_site_and_asks_a_new_request_elsewhere() -> None:
    denied = rd.AuthCase(
        4,
        pa.State.DENIED,
        "hospital_outpatient",
        denied_on=D(2026, 10, 20),
        site_of_care_denial=True,
    )
    today = D(2026, 11, 27)
    at_hospital = facts(denied, site="hospital_outpatient", other_site="infusion_center")
    found = rd.findings([D(2026, 12, 15), D(2027, 6, 15)], at_hospital, today=today)
    assert kinds(found) == [rd.Kind.SITE_DENIED]
    assert found[0].visits == (D(2026, 12, 15), D(2027, 6, 15))
    assert found[0].fix == rd.Fix("site", 4, "infusion_center")
    assert "denied the hospital outpatient on 10/20/2026" in found[0].text
    # quoted at the infusion center: that site needs its own request
    found = rd.findings([D(2026, 12, 15)], facts(denied), today=today)
    assert kinds(found) == [rd.Kind.PA_MISSING] and found[0].fix == rd.Fix("prior_auth", None)
    # another reason of denial: denied, whatever the site
    other = rd.AuthCase(5, pa.State.DENIED, "infusion_center", denied_on=D(2026, 10, 20))
    assert kinds(rd.findings([D(2026, 12, 15)], facts(other), today=today)) == [rd.Kind.PA_DENIED]
    assert rd.is_site_of_care_denial("Site-of-care policy: a non-hospital site is required")
    assert not rd.is_site_of_care_denial("Step therapy: try adalimumab first")


def test_verification_grants_and_past_visits() -> None:
    today = D(2026, 11, 27)
    never = rd.VerificationFacts(7, None)
    found = rd.findings([D(2026, 12, 8)], facts(verification=never), today=today)
    assert rd.Kind.UNVERIFIED in kinds(found)
    # due again 12/03, before the 12/08 visit and within 14 days: shown; not for the patient yet
    due = rd.VerificationFacts(7, D(2026, 11, 25), D(2026, 12, 3), False)
    [f] = rd.findings([D(2026, 12, 8)], facts(verification=due), today=today)
    assert (f.kind, f.patient) == (rd.Kind.VERIFICATION_DUE, False)
    # overdue (due 11/20): the letter says it too
    late = rd.VerificationFacts(7, D(2026, 1, 5), D(2026, 11, 20), False)
    [f] = rd.findings([D(2026, 12, 8)], facts(verification=late), today=today)
    assert f.patient and "verify before quoting" in f.text
    # a re-check weeks ahead is routine: nothing
    ahead = rd.VerificationFacts(7, D(2026, 11, 25), D(2027, 1, 2), False)
    assert rd.findings([D(2027, 1, 5)], facts(verification=ahead), today=today) == ()
    # a grant that ends 12/31: only the visit after it
    grant = rd.GrantFacts(3, "MS Access Fund", D(2026, 12, 31))
    verified = rd.VerificationFacts(7, D(2026, 11, 25), None, False)
    found = rd.findings(
        [D(2026, 12, 15), D(2027, 6, 15)],
        facts(verification=verified, grants=(grant,)),
        today=today,
    )
    assert [(f.kind, f.visits) for f in found] == [(rd.Kind.ASSISTANCE_EXPIRES, (D(2027, 6, 15),))]
    # visits before today are never findings
    assert rd.findings([D(2026, 11, 1)], facts(verification=never), today=today) == ()


@given(
    st.integers(min_value=0, max_value=7),
    st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=10, unique=True),
)
def test_approved_visits_are_used_in_date_order(given_before: int, offsets: list[int]) -> None:
    """Of the quoted visits inside the approval, exactly the first (7 − used) are covered; the
    rest are out of visits — whatever order the dates come in."""
    case = rd.AuthCase(1, pa.State.APPROVED, "infusion_center", APPROVAL, used(given_before))
    dates = [D(2026, 12, 1) + timedelta(days=o) for o in offsets]
    dates = [d for d in dates if d <= APPROVAL.end]
    per_visit = rd.visit_findings(list(reversed(dates)), facts(case), today=D(2026, 11, 27))
    assert [day for day, _ in per_visit] == sorted(dates)
    left = 7 - given_before
    for n, (_day, found) in enumerate(per_visit):
        assert kinds(tuple(found)) == ([] if n < left else [rd.Kind.PA_EXHAUSTED])


# --- the Quotes screen ---------------------------------------------------------------------


def test_d0004_warns_of_the_denied_site_and_quotes_the_infusion_center_instead(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    with store.session() as s:
        seed_demo(s, Actor("seed"), today=TODAY, generated=0)
        pid = ps.get_by_mrn(s, "D0004").id
    screen = QuoteScreen(Backend(store, Actor("desk.clerk")), today=lambda: TODAY)
    qtbot.addWidget(screen)
    screen.resize(1366, 728)
    screen.show()
    fixes: list[tuple[int, str]] = []
    screen.fix_requested.connect(lambda p, tab: fixes.append((p, tab)))
    screen.show_patient(pid)
    assert screen.readiness_scroll.isVisible()
    assert screen.readiness is not None
    found = {f.kind: f for f in screen.readiness.findings}
    assert rd.Kind.SITE_DENIED in found and screen.site_combo.currentData() == "hospital_outpatient"
    hospital_owes = screen.owes_label.text()
    button = screen.findChild(type(screen.save_button), "quoteOtherSiteButton")
    assert button is not None and button.text() == "Quote at the infusion center instead"
    assert "would owe" in button.toolTip()
    screen.grab().save(str(tmp_path / "d0004.png"))
    if os.environ.get("INFUDESK_SHOTS"):
        screen.grab().save(os.environ["INFUDESK_SHOTS"] + "/quotes-d0004.png")
    button.click()
    assert screen.site_combo.currentData() == "infusion_center"
    assert screen.owes_label.text() != hospital_owes  # the other site's figures
    assert screen.readiness is not None
    kinds_now = {f.kind for f in screen.readiness.findings}
    assert rd.Kind.SITE_DENIED not in kinds_now and rd.Kind.PA_MISSING in kinds_now
    # the letter prints the figures on screen: the infusion center's
    dlg = screen.open_cost_letter()
    assert dlg is not None and dlg.source.setup is not None
    assert dlg.source.setup.site == "infusion_center"
    dlg.close()
    # the prior-auth fix opens the patient's Prior auths tab
    fix = screen.findChild(type(screen.save_button), "fix_prior_auth")
    assert fix is not None
    fix.click()
    assert fixes == [(pid, "prior_auths")]


# --- the command line ----------------------------------------------------------------------


def test_cli_prints_now_by_default_and_refuses_an_out_of_date_saved_quote(tmp_path: Path) -> None:

    demo = tmp_path / "D"
    env = tmp_path / "env"
    assert letters_cli("seed", "--demo", "--data-dir", str(demo), env_dir=env).returncode == 0

    def letter(*args: str) -> subprocess.CompletedProcess[str]:
        return letters_cli(
            "letter",
            "cost-letter",
            "--patient",
            "D0002",
            "--demo",
            "--data-dir",
            str(demo),
            "--lang",
            "en",
            *args,
            env_dir=env,
        )

    out = tmp_path / "now.pdf"
    done = letter("--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "figures may have changed" not in " ".join(pdf_pages(out.read_bytes()))
    saved = tmp_path / "saved.pdf"
    done = letter("--out", str(saved), "--from-saved-quote", "1")
    assert done.returncode == 0, done.stderr
    assert "estimate no. 1, made on" in " ".join(pdf_pages(saved.read_bytes()))
    # new terms recorded after the quote: refused in one line, nothing written
    from infudesk.domain import coverage as dc
    from infudesk.paths import DataPaths
    from infudesk.services import coverages as cvs
    from infudesk.store.database import open_store

    store = open_store(DataPaths(demo), demo=True, create=False)
    try:
        with store.session() as s:
            cov = cvs.list_coverages(s, ps.get_by_mrn(s, "D0002").id)[0]
            cvs.record_terms(s, Actor("t"), cov.id, dc.Terms(), as_of=date.today(), source="manual")
    finally:
        store.close()
    stale = tmp_path / "stale.pdf"
    done = letter("--out", str(stale), "--from-saved-quote", "1")
    assert done.returncode == 2 and not stale.exists()
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "new plan terms were recorded" in done.stderr and "--compute-now" in done.stderr
    done = letter("--out", str(stale), "--from-saved-quote", "1", "--even-if-out-of-date")
    assert done.returncode == 0, done.stderr
    assert "figures may have changed" in " ".join(pdf_pages(stale.read_bytes()))
    done = letter("--out", str(tmp_path / "x.pdf"), "--from-saved-quote", "9")
    assert done.returncode != 0 and "no saved quote number 9" in done.stderr
    assert letters.NOW.quote_id is None
