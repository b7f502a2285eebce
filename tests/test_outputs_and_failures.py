"""Patient data leaving the database (letters, exports) is all or nothing and never without its
audit entry; small bad inputs get one clear line; and after every CLI failure path the log
files and stderr hold no patient name, birth date or member id."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from infudesk.demo.showcase import seed_demo
from infudesk.paths import DataPaths
from infudesk.services import audit, outputs
from infudesk.services import coverages as cs
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services.audit import Actor
from infudesk.services.export import export_patient
from infudesk.store import keys
from infudesk.store.database import Store, open_store
from infudesk.store.engine import make_engine
from infudesk.store.models import AuditEvent
from tests.test_cli import run_cli

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 27)
FIRST, LAST = "Zebulonia", "Quixmarchetti"
BIRTH = date(1977, 3, 14)
MEMBER = "ZQX99182736"
# every way a letter or a log might write them
NEEDLES = (
    FIRST,
    LAST,
    FIRST.lower(),
    LAST.lower(),
    LAST.upper(),
    "1977-03-14",
    "03/14/1977",
    "March 14, 1977",
    "14 de marzo de 1977",
    MEMBER,
)


def _no_patient_data(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} appears in {where}"


# --- file names -----------------------------------------------------------------------------


def test_safe_name_cuts_by_bytes_on_a_character_boundary_and_keeps_the_extension() -> None:
    # "Ж" is 2 bytes in UTF-8: 200 of them are 400 bytes; 255 - len(".pdf") = 251 bytes of
    # room, so 125 letters (250 bytes) fit and the 126th would split a character.
    name = outputs.safe_name("Ж" * 200 + ".pdf")
    assert name == "Ж" * 125 + ".pdf"
    assert len(name.encode()) == 254
    assert outputs.safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert outputs.safe_name("a\x00b\nc.txt") == "a_b_c.txt"
    assert outputs.safe_name("...") == "file"
    assert outputs.safe_name(".pdf") == "file.pdf"
    assert outputs.safe_name("report.pdf", max_bytes=8) == "repo.pdf"


@given(st.text(min_size=0, max_size=400))
def test_safe_name_is_always_a_usable_file_name(raw: str) -> None:
    name = outputs.safe_name(raw + ".pdf")
    data = name.encode("utf-8")  # valid UTF-8 (would raise otherwise)
    assert 0 < len(data) <= 255
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".")
    assert name.endswith(".pdf")


# --- a demo database with a distinctive patient ------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo database (D, env dir) where D0001 carries the distinctive name, birth date and
    member id, and a prior-auth document whose file name is the name, over 255 bytes."""
    base = tmp_path_factory.mktemp("fail")
    demo_dir, env_dir = base / "D", base / "env"
    paths = DataPaths(demo_dir)
    st_ = open_store(paths, demo=True)
    actor = Actor("desk.clerk")
    try:
        with st_.session() as s:
            seed_demo(s, Actor.system("demo"), today=TODAY)
        with st_.session() as s:
            rec = ps.get_by_mrn(s, "D0001")
            data = replace(rec.data, first_name=FIRST, last_name=LAST, birth_date=BIRTH)
            ps.update_patient(s, actor, rec.id, data, expected_version=rec.version, today=TODAY)
            cov = cs.list_coverages(s, rec.id)[0]
            cs.update_coverage(
                s,
                actor,
                cov.id,
                replace(cov.data, member_id=MEMBER),
                expected_version=cov.version,
                today=TODAY,
            )
            case = pas.list_cases(s, today=TODAY, patient_id=rec.id, include_closed=True)[0]
            pas.add_document(
                s,
                actor,
                case.id,
                kind="clinical_notes",
                doc_date=TODAY,
                filename=f"{FIRST} {LAST} " * 12 + "chart notes.txt",
                content=b"Fictional chart notes.\n",
            )
    finally:
        st_.close()
    yield demo_dir, env_dir


def one_line_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def logs_text(data_dir: Path) -> str:
    logs = data_dir / "logs"
    return (
        "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(logs.glob("*")))
        if logs.exists()
        else ""
    )


def _verify(demo_dir: Path) -> list[str]:
    st_ = open_store(DataPaths(demo_dir), demo=True, create=False, exclusive=False)
    try:
        with st_.session() as s:
            return audit.verify_chain(s)
    finally:
        st_.close()


class HeldWriteLock:
    """Another writer holding the database (as a long save in the app would)."""

    def __init__(self, demo_dir: Path) -> None:
        paths = DataPaths(demo_dir)
        self.engine = make_engine(paths.db, keys.demo_key(paths))

    def __enter__(self) -> HeldWriteLock:
        self.conn = self.engine.raw_connection()
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


# --- letter ----------------------------------------------------------------------------------


def test_letter_when_the_database_is_busy_leaves_no_pdf(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    demo_dir, env_dir = demo
    out_dir = tmp_path / "letters"
    out_dir.mkdir()
    with HeldWriteLock(demo_dir):
        result = run_cli(
            "letter",
            "cost-letter",
            "--patient",
            "D0001",
            "--out",
            str(out_dir / "a.pdf"),
            "--demo",
            "--data-dir",
            str(demo_dir),
            env_dir=env_dir,
        )
    line = one_line_failure(result)
    assert "busy" in line and "Nothing was saved" in line
    assert list(out_dir.iterdir()) == []  # no PDF, no temporary file
    _no_patient_data(result.stderr, "stderr")
    _no_patient_data(logs_text(demo_dir), "the log")


def test_letter_is_user_only_and_not_overwritten_without_force(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    demo_dir, env_dir = demo
    out = tmp_path / "l.pdf"
    args = (
        "letter",
        "cost-letter",
        "--patient",
        "D0001",
        "--out",
        str(out),
        "--demo",
        "--data-dir",
        str(demo_dir),
    )
    assert run_cli(*args, env_dir=env_dir).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    out.write_bytes(b"the manager's own file")
    line = one_line_failure(run_cli(*args, env_dir=env_dir), code=2)
    assert line == f"infudesk letter: {out} already exists: use --force to replace it."
    assert out.read_bytes() == b"the manager's own file"
    result = run_cli(*args, "--force", env_dir=env_dir)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["l.pdf"]
    _no_patient_data(result.stderr + logs_text(demo_dir), "stderr and the log")


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("{file}/x.pdf", "is a file, not a folder"),
        ("/proc/infudesk-nowhere/x.pdf", "cannot"),
    ],
)
def test_letter_to_a_place_it_cannot_write_is_one_line(
    demo: tuple[Path, Path], tmp_path: Path, out: str, words: str
) -> None:
    demo_dir, env_dir = demo
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    result = run_cli(
        "letter",
        "cost-letter",
        "--patient",
        "D0001",
        "--out",
        out.format(file=a_file),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    line = one_line_failure(result)
    assert words in line
    _no_patient_data(result.stderr + logs_text(demo_dir), "stderr and the log")


# --- export ----------------------------------------------------------------------------------


def test_export_with_a_document_name_over_255_bytes(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    demo_dir, env_dir = demo
    out = tmp_path / "exp"
    result = run_cli(
        "export",
        "patient",
        "D0001",
        "--out",
        str(out),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    assert result.returncode == 0, result.stderr
    (doc,) = [
        d for d in (out / "documents").iterdir() if "chart notes" in d.name or FIRST in d.name
    ]
    assert len(doc.name.encode()) <= 255 and doc.name.endswith(".txt")
    assert doc.read_bytes() == b"Fictional chart notes.\n"
    for path in [out / "record.json", *(out / "documents").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    record = json.loads((out / "record.json").read_text(encoding="utf-8"))
    exported = [d["exported_as"] for c in record["prior_authorizations"] for d in c["documents"]]
    assert f"documents/{doc.name}" in exported
    _no_patient_data(result.stderr + logs_text(demo_dir), "stderr and the log")

    # again: refused without --force, nothing touched; replaced with it
    before = (out / "record.json").read_bytes()
    line = one_line_failure(
        run_cli(
            "export",
            "patient",
            "D0001",
            "--out",
            str(out),
            "--demo",
            "--data-dir",
            str(demo_dir),
            env_dir=env_dir,
        )
    )
    assert "already exists: use --force" in line
    _no_patient_data(line, "stderr")  # the document's name is not shown
    assert (out / "record.json").read_bytes() == before
    result = run_cli(
        "export",
        "patient",
        "D0001",
        "--out",
        str(out),
        "--force",
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    assert result.returncode == 0, result.stderr
    assert not [p for p in out.rglob(".infudesk-*")]


def test_export_when_the_database_is_busy_leaves_nothing(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    demo_dir, env_dir = demo
    out = tmp_path / "new" / "exp"
    with HeldWriteLock(demo_dir):
        result = run_cli(
            "export",
            "patient",
            "D0001",
            "--out",
            str(out),
            "--demo",
            "--data-dir",
            str(demo_dir),
            env_dir=env_dir,
        )
    assert "busy" in one_line_failure(result)
    assert not (tmp_path / "new").exists() or list((tmp_path / "new").rglob("*")) == []
    _no_patient_data(result.stderr + logs_text(demo_dir), "stderr and the log")


def test_export_to_a_file_is_one_line(demo: tuple[Path, Path], tmp_path: Path) -> None:
    demo_dir, env_dir = demo
    a_file = tmp_path / "record.txt"
    a_file.write_text("x")
    result = run_cli(
        "export",
        "patient",
        "D0001",
        "--out",
        str(a_file),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    assert "is a file, not a folder" in one_line_failure(result)
    assert a_file.read_text() == "x"
    _no_patient_data(result.stderr + logs_text(demo_dir), "stderr and the log")


# --- data folder, seed, quote ----------------------------------------------------------------


def test_data_dir_that_is_a_file_or_unwritable_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "f"
    a_file.write_text("x")
    for data_dir, words in (
        (a_file, "is a file, not a folder"),
        (a_file / "sub", "which is a file"),
        (Path("/proc/infudesk-nowhere"), "cannot make the data folder"),
    ):
        export = ["export", "patient", "D0001", "--user", "boss", "--out", str(tmp_path)]
        for cmd in (["seed", "--demo"], export):
            result = run_cli(*cmd, "--data-dir", str(data_dir), env_dir=tmp_path / "env")
            line = one_line_failure(result, code=1 if cmd[0] == "export" and "make" in words else 2)
            assert words in line or "There is no infudesk data folder" in line, line
    assert a_file.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder")
def test_data_dir_without_write_permission_is_one_line(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    result = run_cli("seed", "--demo", "--data-dir", str(ro), env_dir=tmp_path / "env")
    assert "permission denied" in one_line_failure(result, code=2)


def test_seed_too_many_patients_is_refused(tmp_path: Path) -> None:
    result = run_cli(
        "seed",
        "--patients",
        str(10**12),
        "--demo",
        "--data-dir",
        str(tmp_path / "d"),
        env_dir=tmp_path / "env",
    )
    assert one_line_failure(result, code=2) == (
        "infudesk seed: --patients is a number from 1 to 1,000,000."
    )
    assert not (tmp_path / "d" / "infudesk.db").exists()


def test_quote_in_the_year_9999_is_a_clear_refusal(tmp_path: Path) -> None:
    req = tmp_path / "q.json"
    req.write_text(
        json.dumps(
            {
                "service_dates": ["9999-12-31"],
                "lines": [{"code": "96365", "units": 1, "unit_price": "160.00"}],
                "primary": {"plan_type": "commercial"},
            }
        )
    )
    line = one_line_failure(run_cli("quote", "--json", str(req), env_dir=tmp_path), code=2)
    assert line.startswith("infudesk quote: service_dates[0]: 9999-12-31 is too far ahead")


# --- an unexpected error: the log keeps its type and place, not its message -------------------


@pytest.mark.usefixtures("allow_warnings")
def test_an_unexpected_error_logs_no_message(
    demo: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from infudesk import cli
    from infudesk.services import export

    demo_dir, _env = demo

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"could not handle {FIRST} {LAST} born {BIRTH} member {MEMBER}")

    monkeypatch.setattr(export, "export_patient", boom)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        code = cli.main(
            [
                "export",
                "patient",
                "D0001",
                "--out",
                str(tmp_path / "o"),
                "--demo",
                "--data-dir",
                str(demo_dir),
            ]
        )
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                h.close()
                root.removeHandler(h)
    assert code == 3
    err = capsys.readouterr().err
    log = logs_text(demo_dir)
    assert "RuntimeError" in log and "boom" in log  # type and place are kept
    _no_patient_data(err + log, "stderr and the log")


# --- audit entries for outputs and views --------------------------------------------------------


def test_export_in_process_is_audited_and_a_failed_one_leaves_nothing(
    store: Store, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.session() as s:
        seed_demo(s, Actor.system("demo"), today=TODAY)
    out = tmp_path / "x" / "y"

    def refuse(*_a: object, **_k: object) -> None:
        raise RuntimeError("the audit could not be written")

    with pytest.raises(RuntimeError), store.session() as s:
        monkeypatch.setattr(audit, "record", refuse)
        export_patient(s, actor, "D0001", out)
    monkeypatch.undo()
    assert not (tmp_path / "x").exists()
    with store.session() as s:
        export_patient(s, actor, "D0001", out)
    with store.session() as s:
        acts = list(
            s.scalars(
                select(AuditEvent.entity).where(
                    AuditEvent.action == "export", AuditEvent.entity == "patient"
                )
            )
        )
        assert acts == ["patient"]  # the failed export's entry was rolled back with it
        assert audit.verify_chain(s) == []


def test_opening_a_record_is_recorded_once(store: Store, actor: Actor) -> None:
    with store.session() as s:
        seed_demo(s, Actor.system("demo"), today=TODAY)
        pid = ps.get_by_mrn(s, "D0002").id
    with store.session() as s:
        ps.open_patient(s, actor, pid)
        ps.get_patient(s, pid)  # a refresh is not a new viewing
    with store.session() as s:
        views = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.patient_id == pid)
        ).all()
        assert [(v.actor, v.entity, v.detail) for v in views] == [("test.clerk", "patient", "{}")]


def test_backup_and_restore_helpers_write_entries_without_paths(store: Store, actor: Actor) -> None:
    with store.session() as s:
        audit.record_backup(s, actor, file_name="infudesk-20261127.idbk", automatic=True)
        audit.record_restore(s, actor, file_name="infudesk-20261127.idbk", backup_time="t")
    with store.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "database").order_by(AuditEvent.id)
        ).all()
        assert [(r.action, json.loads(r.detail)) for r in rows] == [
            ("backup", {"automatic": True, "file": "infudesk-20261127.idbk"}),
            ("restore", {"backup_time": "t", "file": "infudesk-20261127.idbk"}),
        ]
        assert audit.verify_chain(s) == []
