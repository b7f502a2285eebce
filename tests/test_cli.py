"""Tests for the command line (run as `python -m infudesk` in a subprocess) and patient export."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from infudesk.domain.patients import PatientData
from infudesk.errors import NotFound
from infudesk.paths import DataPaths
from infudesk.services import patients as ps
from infudesk.services.audit import Actor
from infudesk.services.export import FORMAT, export_patient
from infudesk.store.database import Store, open_store
from infudesk.store.models import AuditEvent, Patient

REPO = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 27)
SHOWCASE_MRNS = [f"D000{i}" for i in range(1, 7)]
DEMO_GENERATED = 200

ZOE = PatientData(
    mrn="D0003",
    first_name="Zoë",
    last_name="O'Brien",
    birth_date=date(2014, 6, 2),
    sex="F",
    phone_home="6305550105",
    city="Naperville",
    state="IL",
    zip_code="60540",
    guardian_name="Siobhan O'Brien",
    guardian_relationship="Mother",
    guardian_phone="6305550106",
    notes="Home infusion; mother is the contact.",
)
NGUYEN = PatientData(
    mrn="D0002",
    first_name="An",
    middle_name="Văn",
    last_name="Nguyễn",
    birth_date=date(1951, 9, 30),
    sex="M",
    preferred_language="vi",
    phone_home="3125550103",
    emergency_name="Nguyễn Thị Lan",
    emergency_relationship="Daughter",
    emergency_phone="3125550104",
)


def run_cli(*args: str, env_dir: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m infudesk ARGS` with INFUDESK_DATA_DIR at ``env_dir`` and no real keychain."""
    env = dict(os.environ)
    env["INFUDESK_DATA_DIR"] = str(env_dir)
    # a subprocess must never reach a real keychain: the non-demo path sees "no keychain"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "infudesk", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert result.stderr.strip()
    return result.stderr.strip()


def _count_patients(paths: DataPaths) -> tuple[int, list[str]]:
    st = open_store(paths, demo=True, create=False)
    try:
        with st.session() as s:
            total = int(s.scalar(select(func.count()).select_from(Patient)) or 0)
            showcase = list(
                s.scalars(select(Patient.mrn).where(Patient.mrn.like("D%")).order_by(Patient.mrn))
            )
    finally:
        st.close()
    return total, showcase


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo database made by `infudesk seed --demo --data-dir D` (D, env dir)."""
    base = tmp_path_factory.mktemp("cli")
    demo_dir = base / "D"
    env_dir = base / "env"
    result = run_cli("seed", "--demo", "--data-dir", str(demo_dir), env_dir=env_dir)
    assert result.returncode == 0, result.stderr
    assert f"Added {len(SHOWCASE_MRNS) + DEMO_GENERATED} patients" in result.stdout
    return demo_dir, env_dir


# --- seed ------------------------------------------------------------------------------------


def test_seed_demo_makes_showcase_and_generated_patients(seeded: tuple[Path, Path]) -> None:
    demo_dir, env_dir = seeded
    paths = DataPaths(demo_dir)
    # --data-dir with --demo is the folder itself (no 'demo' subfolder), env dir untouched
    assert paths.db.is_file()
    assert paths.demo_key.is_file()
    assert not paths.store_id.exists()
    assert not (demo_dir / "demo").exists()
    assert not (env_dir / "infudesk.db").exists()
    total, showcase = _count_patients(paths)
    assert showcase == SHOWCASE_MRNS
    assert total == len(SHOWCASE_MRNS) + DEMO_GENERATED
    st = open_store(paths, demo=True, create=False)
    try:
        with st.session() as s:
            zoe = ps.get_by_mrn(s, "D0003")
            assert zoe.data.first_name == "Zoë"
            assert zoe.data.guardian_name == "Siobhan O'Brien"
            assert "D0002" in [r.mrn for r in ps.search(s, "nguyen an")]
            assert "D0004" in [r.mrn for r in ps.search(s, "王秀英", include_inactive=True)]
            assert ps.count(s, "", include_inactive=True) == total
    finally:
        st.close()


def test_seed_demo_twice_adds_nothing_then_patients_adds_n(tmp_path: Path) -> None:
    demo_dir = tmp_path / "D2"
    first = run_cli("seed", "--demo", "--data-dir", str(demo_dir), env_dir=tmp_path / "env")
    assert first.returncode == 0, first.stderr
    total1, _ = _count_patients(DataPaths(demo_dir))
    assert total1 == len(SHOWCASE_MRNS) + DEMO_GENERATED

    again = run_cli("seed", "--demo", "--data-dir", str(demo_dir), env_dir=tmp_path / "env")
    assert again.returncode == 0, again.stderr
    assert "Added 0 patients" in again.stdout
    assert _count_patients(DataPaths(demo_dir))[0] == total1

    more = run_cli(
        "seed",
        "--demo",
        "--patients",
        "500",
        "--rng-seed",
        "7",
        "--data-dir",
        str(demo_dir),
        env_dir=tmp_path / "env",
    )
    assert more.returncode == 0, more.stderr
    assert "Added 500 patients" in more.stdout
    total3, showcase = _count_patients(DataPaths(demo_dir))
    assert total3 == total1 + 500
    assert showcase == SHOWCASE_MRNS
    st = open_store(DataPaths(demo_dir), demo=True, create=False)
    try:
        with st.session() as s:
            mrns = list(s.scalars(select(Patient.mrn)))
            assert len(set(mrns)) == len(mrns)
            seeds = list(s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "seed")))
            assert sorted(json.loads(d)["count"] for d in seeds) == [DEMO_GENERATED, 500]
    finally:
        st.close()


def test_seed_without_options_exits_2_with_a_message(tmp_path: Path) -> None:
    result = run_cli("seed", env_dir=tmp_path / "env")
    msg = assert_clean_failure(result, 2)
    assert "--patients" in msg and "--demo" in msg
    assert not (tmp_path / "env" / "infudesk.db").exists()


def test_seed_without_keychain_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "K"
    # --user: a real database needs someone acting (issue 12); the keychain is checked first
    result = run_cli(
        "seed",
        "--patients",
        "3",
        "--user",
        "boss",
        "--data-dir",
        str(data),
        env_dir=tmp_path / "env",
    )
    msg = assert_clean_failure(result, 1)
    assert "keychain" in msg.lower()
    assert "infudesk --demo" in msg
    assert not (data / "infudesk.db").exists()
    assert not (data / "store-id.txt").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_cli_creates_the_data_folder_for_the_owner_only(seeded: tuple[Path, Path]) -> None:
    """Regression: the data folder is created owner-only even though logging starts first."""
    demo_dir, _ = seeded
    assert stat.S_IMODE(demo_dir.stat().st_mode) & 0o077 == 0


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from infudesk.paths import ENV_DATA_DIR, resolve_data_dir

    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "D", demo=True) == (tmp_path / "D").resolve()
    assert resolve_data_dir(tmp_path / "D") == (tmp_path / "D").resolve()
    assert resolve_data_dir(None) == (tmp_path / "env").resolve()
    assert resolve_data_dir(None, demo=True) == (tmp_path / "env" / "demo").resolve()


# --- export (subprocess) ---------------------------------------------------------------------


def test_export_demo_patient(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    demo_dir, env_dir = seeded
    out = tmp_path / "out"
    result = run_cli(
        "export",
        "patient",
        "D0003",
        "--out",
        str(out),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    assert result.returncode == 0, result.stderr
    target = out / "record.json"
    assert str(target) in result.stdout
    raw = target.read_text(encoding="utf-8")
    assert "Zoë" in raw and "\\u00eb" not in raw  # ensure_ascii=False
    record = json.loads(raw)
    assert record["format"] == FORMAT
    patient = record["patient"]
    assert patient["mrn"] == "D0003"
    demo = patient["demographics"]
    assert demo["first_name"] == "Zoë"
    assert demo["last_name"] == "O'Brien"
    assert demo["birth_date"] == "2014-06-02"
    assert demo["guardian_name"] == "Siobhan O'Brien"
    assert demo["guardian_relationship"] == "Mother"
    assert demo["guardian_phone"] == "6305550106"
    assert demo["sex_label"] == "Female"
    assert isinstance(record["history"], list)
    assert [h["action"] for h in record["history"]][:1] == ["create"]
    assert record["exported_by"] == "system:export"
    assert not list(out.glob(".*.tmp"))
    # the export itself is in the trail; the log file holds no patient data
    st = open_store(DataPaths(demo_dir), demo=True, create=False)
    try:
        with st.session() as s:
            pid = ps.get_by_mrn(s, "D0003").id
            actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == pid)))
    finally:
        st.close()
    assert "export" in actions
    logs = "".join(p.read_text(encoding="utf-8") for p in (demo_dir / "logs").glob("*.log*"))
    for secret in ("D0003", "Zoë", "O'Brien", "Siobhan", "2014-06-02", "6305550106"):
        assert secret not in logs


def test_export_vietnamese_name_intact(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    demo_dir, env_dir = seeded
    out = tmp_path / "vi"
    result = run_cli(
        "export",
        "patient",
        "d0002",
        "--out",
        str(out),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    assert result.returncode == 0, result.stderr
    raw = (out / "record.json").read_text(encoding="utf-8")
    assert "Nguyễn" in raw and "Văn" in raw
    assert json.loads(raw)["patient"]["demographics"]["last_name"] == "Nguyễn"


def test_export_unknown_mrn_is_a_one_line_error(seeded: tuple[Path, Path], tmp_path: Path) -> None:
    demo_dir, env_dir = seeded
    out = tmp_path / "none"
    result = run_cli(
        "export",
        "patient",
        "NOPE42",
        "--out",
        str(out),
        "--demo",
        "--data-dir",
        str(demo_dir),
        env_dir=env_dir,
    )
    msg = assert_clean_failure(result, 1)
    assert "\n" not in msg
    assert "NOPE42" in msg
    assert not (out / "record.json").exists()


def test_export_from_a_folder_without_a_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    result = run_cli(
        "export",
        "patient",
        "D0003",
        "--out",
        str(tmp_path / "o"),
        "--demo",
        "--data-dir",
        str(empty),
        env_dir=tmp_path / "env",
    )
    msg = assert_clean_failure(result, 1)
    assert str(empty) in msg
    assert not (empty / "infudesk.db").exists()
    assert not (empty / "demo-key.txt").exists()


# --- export (in process) ---------------------------------------------------------------------


def _make(store: Store, actor: Actor, data: PatientData) -> ps.PatientRecord:
    with store.session() as s:
        return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True)


def test_export_patient_in_process(store: Store, actor: Actor, tmp_path: Path) -> None:
    rec = _make(store, actor, ZOE)
    _make(store, actor, NGUYEN)
    with store.session() as s:
        ps.update_patient(
            s,
            actor,
            rec.id,
            replace(rec.data, city="Aurora"),
            expected_version=rec.version,
            today=TODAY,
        )
    out = tmp_path / "export" / "zoe"
    with store.session() as s:
        target = export_patient(s, actor, "d0003", out)
    assert target == out / "record.json"
    raw = target.read_text(encoding="utf-8")
    assert "Zoë" in raw and "O'Brien" in raw and "\\u" not in raw
    record = json.loads(raw)
    patient = record["patient"]
    assert patient["mrn"] == "D0003"
    assert patient["demographics"]["city"] == "Aurora"
    assert patient["demographics"]["guardian_name"] == "Siobhan O'Brien"
    assert patient["created_by"] == actor.name
    history = record["history"]
    assert [h["action"] for h in history] == ["create", "update"]
    assert all(h["by"] == actor.name for h in history)
    assert history[1]["detail"] == {"fields": ["city"]}
    assert record["exported_by"] == actor.name
    # nobody else's data in the file
    assert "Nguyễn" not in raw
    with store.session() as s:
        events = list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.patient_id == rec.id)
                .order_by(AuditEvent.id)
            )
        )
    assert events == ["create", "update", "export"]


def test_export_unknown_patient_writes_nothing(store: Store, actor: Actor, tmp_path: Path) -> None:
    _make(store, actor, ZOE)
    out = tmp_path / "x"
    with pytest.raises(NotFound) as info, store.session() as s:
        export_patient(s, actor, "NOPE42", out)
    assert "NOPE42" in info.value.message
    assert not (out / "record.json").exists()
    with store.session() as s:
        assert list(s.scalars(select(AuditEvent.action).where(AuditEvent.action == "export"))) == []


def test_backup_demo_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    res = run_cli("backup", "--demo", env_dir=tmp_path / "env")
    assert res.returncode == 2
    assert "demo database is not backed up" in res.stderr
    assert not (tmp_path / "env").exists()  # no demo made only to be refused


def test_letter_demo_on_a_fresh_machine_makes_the_demo_first(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    res = run_cli(
        "letter",
        "cost-letter",
        "--patient",
        "D0001",
        "--out",
        str(out),
        "--demo",
        env_dir=tmp_path / "env",
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "making the demo database" in res.stderr
    assert out.exists() and out.read_bytes().startswith(b"%PDF")


def test_a_database_never_made_says_how_to_make_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run_cli("check", "--data-dir", str(empty), env_dir=tmp_path / "env")
    assert res.returncode == 1
    assert f"There is no infudesk database in {empty} yet" in res.stderr
    assert "infudesk staff add USERNAME" in res.stderr and "Traceback" not in res.stderr
    res = run_cli(
        "letter",
        "cost-letter",
        "--patient",
        "D0001",
        "--out",
        str(tmp_path / "x.pdf"),
        "--demo",
        "--data-dir",
        str(tmp_path / "nowhere"),
        env_dir=tmp_path / "env",
    )
    assert res.returncode == 1
    nowhere = tmp_path / "nowhere"
    assert (
        f"There is no demo data folder at {nowhere}: make it with `infudesk seed --demo"
        in res.stderr
    )
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "x.pdf").exists()
