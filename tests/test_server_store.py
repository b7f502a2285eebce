"""Several workstations on one PostgreSQL server (issue 16): address and password rules,
the schema on both engines, two workstations at once, migrate-to, check, backup, restore.

The PostgreSQL tests need the throwaway server of `.ci/pg-cluster` (they skip without it,
saying so; CI sets INFUDESK_REQUIRE_PG=1 so that they cannot skip there).
"""
# mypy: disable-error-code="arg-type"

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from infudesk.demo.showcase import seed_demo
from infudesk.domain.patients import PatientData
from infudesk.domain.prior_auth import Action, Approval, ApprovedLine
from infudesk.errors import Conflict, DatabaseOpenError, KeychainError, ValidationFailed
from infudesk.paths import DataPaths
from infudesk.services import check as checks
from infudesk.services import orders as ors
from infudesk.services import patients as ps
from infudesk.services import prior_auths as pas
from infudesk.services import staff
from infudesk.services.audit import Actor, verify_chain
from infudesk.services.backup import make_backup, restore_backup, restore_to_server
from infudesk.services.migrate_to import MigrateError, checksums, migrate_to, tables
from infudesk.services.sync import change_token
from infudesk.store import keys, migrate, server
from infudesk.store.database import Store, open_server_store, open_store
from infudesk.store.models import PriorAuthUsage
from infudesk.store.server import (
    ServerAddressError,
    ServerTarget,
    parse_database_url,
    resolve_target,
    save_connection,
)
from tests.conftest import PG_PASSWORD, TODAY

# --- the address: no password, TLS checked ------------------------------------------------


def test_an_address_is_read_with_tls_checked_by_default() -> None:
    t = parse_database_url("postgresql://desk@db.example.org/infudesk")
    assert (t.user, t.host, t.port, t.dbname) == ("desk", "db.example.org", 5432, "infudesk")
    assert t.sslmode == "verify-full" and t.ca_file is None
    assert t.label == "desk@db.example.org:5432/infudesk"
    u = parse_database_url("postgres://desk@10.0.0.5:6543/center?sslmode=verify-ca", "/ca.pem")
    assert (u.port, u.sslmode, u.ca_file) == (6543, "verify-ca", "/ca.pem")


def test_an_address_with_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ServerAddressError) as info:
        parse_database_url("postgresql://desk:Sekr3t-pw@db.example.org:5432/infudesk")
    assert "contains a password" in info.value.message
    assert "infudesk db-password --database" in info.value.message
    assert "Sekr3t-pw" not in info.value.message


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer", "require"])
def test_tls_without_checking_the_server_is_refused(mode: str) -> None:
    with pytest.raises(ServerAddressError, match="only over TLS"):
        parse_database_url(f"postgresql://desk@db/infudesk?sslmode={mode}")


@pytest.mark.parametrize(
    "bad",
    ["mysql://desk@db/x", "postgresql://db/infudesk", "postgresql://desk@db/", "not a url"],
)
def test_a_wrong_address_says_how_to_write_it(bad: str) -> None:
    with pytest.raises(ServerAddressError, match="ROLE@HOST:PORT/DATABASE"):
        parse_database_url(bad)


def test_the_address_comes_from_the_option_then_env_then_settings(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths.ensure()
    assert resolve_target(paths.root, None, None) is None  # the local database by default
    save_connection(paths.root, "postgresql://desk@saved/infudesk", "/etc/ca.pem")
    saved = resolve_target(paths.root, None, None)
    assert saved is not None and (saved.host, saved.ca_file) == ("saved", "/etc/ca.pem")
    monkeypatch.setenv("INFUDESK_DATABASE", "postgresql://desk@env/infudesk")
    env = resolve_target(paths.root, None, None)
    assert env is not None and env.host == "env"
    cli = resolve_target(paths.root, "postgresql://desk@cli/infudesk", "/ca2.pem")
    assert cli is not None and (cli.host, cli.ca_file) == ("cli", "/ca2.pem")
    with pytest.raises(ServerAddressError):
        save_connection(paths.root, "postgresql://desk:pw@saved/infudesk", None)
    assert "pw@" not in server.connection_file(paths.root).read_text(encoding="utf-8")


def test_no_password_in_the_keychain_says_what_to_run() -> None:
    with pytest.raises(KeychainError, match="infudesk db-password --database postgresql://"):
        server.password(parse_database_url("postgresql://desk@db/infudesk"))


# --- on a real server ----------------------------------------------------------------------


def _patient(s: Any, actor: Actor, mrn: str, first: str, last: str) -> int:
    data = PatientData(
        first_name=first, last_name=last, birth_date=date(1961, 3, 4), sex="F", mrn=mrn
    )
    return ps.create_patient(s, actor, data, today=TODAY, allow_look_alike=True).id


def _second_workstation(store: Store) -> Store:
    """Another workstation on the same database (its own engine and connections)."""
    assert store.target is not None
    return open_server_store(store.paths, store.target)


def test_an_empty_database_gets_the_schema_the_triggers_and_a_name(
    pg_empty: ServerTarget, paths: DataPaths
) -> None:
    st = open_server_store(paths, pg_empty)
    try:
        assert st.created and st.store_id
        with st.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD
            # the same append-only rule as SQLite's triggers, in PL/pgSQL
            for sql in ("DELETE FROM audit_events", "UPDATE audit_events SET actor = 'x'"):
                with pytest.raises(Exception, match="append-only"):
                    conn.execute(text(sql))
                conn.rollback()
        with st.session() as s:
            assert verify_chain(s) == []
    finally:
        st.close()


def test_types_behave_the_same_on_the_server(pg_target: ServerTarget, paths: DataPaths) -> None:
    """Money as NUMERIC (Decimal back, never float), dates, booleans, bytes, aware times."""
    from decimal import Decimal

    from infudesk.store.models import Patient

    st = open_server_store(paths, pg_target)
    try:
        actor = Actor("t")
        with st.session() as s:
            seed_demo(s, actor, today=TODAY, generated=0)
        with st.session() as s:
            kinds = {
                r[0]: r[1]
                for r in s.execute(
                    text(
                        "SELECT table_name || '.' || column_name, data_type FROM "
                        "information_schema.columns WHERE table_schema = 'public'"
                    )
                )
            }
            p = s.scalars(select(Patient).limit(1)).one()
            assert isinstance(p.birth_date, date) and p.active is True
            assert p.created_at.tzinfo is not None
        assert kinds["benefit_terms.deductible"] == "numeric"
        assert kinds["prior_auth_documents.content"] == "bytea"
        assert kinds["patients.birth_date"] == "date"
        assert kinds["patients.active"] == "boolean"
        with st.session() as s:
            value = s.scalar(text("SELECT deductible FROM benefit_terms LIMIT 1"))
            assert isinstance(value, Decimal)
    finally:
        st.close()


def test_the_search_is_accent_and_case_free_and_uses_the_index(
    pg_target: ServerTarget, paths: DataPaths, actor: Actor
) -> None:
    st = open_server_store(paths, pg_target)
    try:
        with st.session() as s:
            _patient(s, actor, "S0001", "José", "Núñez")
            _patient(s, actor, "S0002", "Josephine", "Nunes")
            _patient(s, actor, "S0003", "Ann", "Other")
        with st.session() as s:
            assert sorted(r.mrn for r in ps.search(s, "NUNEZ JOSÉ")) == ["S0001"]
            assert sorted(r.mrn for r in ps.search(s, "jose")) == ["S0001", "S0002"]
            s.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: force the choice
            plan = " ".join(
                r[0]
                for r in s.execute(
                    text(
                        "EXPLAIN SELECT patient_id FROM patient_tokens "
                        "WHERE token >= 'nun' AND token < 'nun' || chr(1114111)"
                    )
                )
            )
            assert "ix_patient_tokens_token" in plan
    finally:
        st.close()


def test_two_workstations_saving_one_patient_the_second_is_refused(
    pg_target: ServerTarget, paths: DataPaths, actor: Actor
) -> None:
    """Both open version 1; the first saves; the second's save is refused (Conflict), and
    the first one's change is what stays."""
    one = open_server_store(paths, pg_target)
    two = _second_workstation(one)
    try:
        with one.session() as s:
            pid = _patient(s, actor, "C0001", "Rosa", "Diaz")
        with one.session() as s:
            rec = ps.get_patient(s, pid)
        # workstation two has the record open (loaded in its session) when one saves
        with pytest.raises(Conflict, match="Someone else saved"), two.session() as b:
            ps.get_patient(b, pid)
            with one.session() as a:
                ps.update_patient(
                    a,
                    actor,
                    pid,
                    replace(rec.data, city="Tulsa"),
                    expected_version=rec.version,
                    today=TODAY,
                )
            ps.update_patient(
                b,
                actor,
                pid,
                replace(rec.data, city="Omaha"),
                expected_version=rec.version,
                today=TODAY,
            )
        with two.session() as s:
            assert ps.get_patient(s, pid).data.city == "Tulsa"
    finally:
        two.close()
        one.close()


def test_a_save_waiting_on_anothers_row_lock_is_refused_not_lost(
    pg_target: ServerTarget, paths: DataPaths, actor: Actor
) -> None:
    """The second UPDATE waits for the first transaction's row lock; when it commits, the
    version no longer matches: Conflict (not a silent overwrite)."""
    one = open_server_store(paths, pg_target)
    two = _second_workstation(one)
    try:
        with one.session() as s:
            pid = _patient(s, actor, "C0002", "Lena", "Hart")
        with one.session() as s:
            rec = ps.get_patient(s, pid)
        outcome: list[BaseException | None] = []
        first_written = threading.Event()
        release = threading.Event()

        def first() -> None:
            with one.session() as a:
                ps.update_patient(
                    a, actor, pid, replace(rec.data, city="Reno"), expected_version=1, today=TODAY
                )
                a.flush()
                first_written.set()
                release.wait(10)

        t = threading.Thread(target=first)
        t.start()
        first_written.wait(10)

        def second() -> None:
            try:
                with two.session() as b:
                    ps.update_patient(
                        b,
                        actor,
                        pid,
                        replace(rec.data, city="Boise"),
                        expected_version=1,
                        today=TODAY,
                    )
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome.append(exc)

        t2 = threading.Thread(target=second)
        t2.start()
        t2.join(1.0)
        assert t2.is_alive()  # waiting on the row lock
        release.set()
        t.join(10)
        t2.join(10)
        assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
        with two.session() as s:
            assert ps.get_patient(s, pid).data.city == "Reno"
    finally:
        two.close()
        one.close()


def test_the_change_token_moves_when_another_workstation_saves(
    pg_target: ServerTarget, paths: DataPaths, actor: Actor
) -> None:
    one = open_server_store(paths, pg_target)
    two = _second_workstation(one)
    try:
        with two.session() as s:
            before = change_token(s)
        with two.session() as s:
            assert change_token(s) == before  # reading changes nothing
        with one.session() as s:
            _patient(s, actor, "T0001", "Ida", "Moss")
        with two.session() as s:
            assert change_token(s) == before + 1
    finally:
        two.close()
        one.close()


# --- authorization units from two processes --------------------------------------------------

RACE_VISITS = 3
RACE_TRIES = 6  # each process tries this many visits; together 12 for 3 approved


def _racer(target: ServerTarget, root: str, case_id: int, start: Any, out: Any, who: int) -> None:
    """One workstation (its own process, engine and connections) recording visits until
    the approval refuses."""
    st = open_server_store(DataPaths(Path(root)), target, password=PG_PASSWORD)
    recorded = 0
    refused = 0
    try:
        start.wait(30)
        for i in range(RACE_TRIES):
            try:
                with st.session() as s:
                    pas.record_visit(
                        s, Actor(f"desk{who}"), case_id, on=date(2026, 11, 23 + (i % 5))
                    )
                recorded += 1
            except ValidationFailed:
                refused += 1
    finally:
        st.close()
    out.put((recorded, refused))


def test_two_processes_recording_visits_never_oversubscribe(
    pg_target: ServerTarget, paths: DataPaths
) -> None:
    st = open_server_store(paths, pg_target)
    actor = Actor("seed")
    try:
        with st.session() as s:
            seed_demo(s, actor, today=TODAY, generated=0)
        with st.session() as s:
            pid = ps.get_by_mrn(s, "D0001").id
            from infudesk.services import coverages as cvs

            cov = cvs.list_coverages(s, pid)[0].id
            order = ors.list_orders(s, pid)[0].id
            case = pas.create_case(s, actor, pid, coverage_id=cov, order_id=order)
        approval = Approval(
            "RACE-1",
            (ApprovedLine("J1745", 400), ApprovedLine("96365", 10), ApprovedLine("96366", 10)),
            RACE_VISITS,
            date(2026, 11, 1),
            date(2027, 5, 31),
            "infusion_center",
        )
        for action, on, details in (
            (Action.SUBMIT, date(2026, 11, 2), {}),
            (Action.APPROVE, date(2026, 11, 3), {"approval": approval}),
        ):
            with st.session() as s:
                case = pas.act(
                    s, actor, case.id, action, on=on, expected_version=case.version, **details
                )
    finally:
        st.close()

    ctx = multiprocessing.get_context("fork")  # the children inherit the test keychain
    start = ctx.Barrier(2)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_racer, args=(pg_target, str(paths.root), case.id, start, out, i))
        for i in (1, 2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    recorded = sum(r[0] for r in results)
    assert recorded == RACE_VISITS  # exactly the approved visits, whoever got them
    assert sum(r[1] for r in results) == 2 * RACE_TRIES - RACE_VISITS
    st = open_server_store(paths, pg_target)
    try:
        with st.session() as s:
            visits = s.scalar(
                select(func.count())
                .select_from(PriorAuthUsage)
                .where(PriorAuthUsage.case_id == case.id, PriorAuthUsage.visit.is_(True))
            )
            rem = pas.get_case(s, case.id).remaining()
        assert visits == RACE_VISITS
        assert rem is not None and rem.visits == 0 and not rem.over
        with st.session() as s:
            assert verify_chain(s) == []  # both processes' audit entries chained in order
    finally:
        st.close()


# --- migrate-to, check, backup, restore ---------------------------------------------------------


MANAGER_PASSWORD = "fictional manager pass 42"


def _local_with_data(paths: DataPaths) -> None:
    st = open_store(paths)
    try:
        actor = Actor("seed")
        with st.session() as s:
            seed_demo(s, actor, today=TODAY, generated=30)
        with st.session() as s:
            pid = ps.get_by_mrn(s, "D0001").id
            cov = __import__("infudesk.services.coverages", fromlist=["x"]).list_coverages(s, pid)
            case = pas.create_case(
                s, actor, pid, coverage_id=cov[0].id, order_id=ors.list_orders(s, pid)[0].id
            )
            pas.add_document(
                s,
                actor,
                case.id,
                kind="clinical_notes",
                doc_date=TODAY,
                filename="notes.pdf",
                content=b"%PDF-1.4 fictional notes\n%%EOF\n",
            )
    finally:
        st.close()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrate_to_copies_every_table_and_leaves_the_local_one_untouched(
    pg_empty: ServerTarget, paths: DataPaths
) -> None:
    _local_with_data(paths)
    before = _file_digest(paths.db)
    report = migrate_to(paths, pg_empty)
    assert _file_digest(paths.db) == before  # not one byte changed
    assert {t.name for t in report.tables} == {t.name for t in tables()}
    assert report.rows > 100

    # every table, compared again independently of the copy's own check
    local = open_store(paths, create=False, exclusive=False, upgrade=False)
    remote = open_server_store(paths, pg_empty, create=False)
    try:
        with local.engine.connect() as a, remote.engine.connect() as b:
            mine, theirs = checksums(a), checksums(b)
        for name in mine:
            if name == "audit_events":  # the server has one more: the migrate-to entry
                assert theirs[name].rows == mine[name].rows + 1
                continue
            if name == "audit_chain_tail":  # so its chain ends one entry later
                continue
            assert (theirs[name].rows, theirs[name].checksum) == (
                mine[name].rows,
                mine[name].checksum,
            ), name
        assert remote.store_id == keys.read_store_id(paths)  # same id: same recovery sheet
        with remote.session() as s:
            assert verify_chain(s) == []
            report2 = checks.check_database(s)
            assert report2.problem is None, report2.lines
            # the sequences were moved past the copied ids: new rows just work
            _patient(s, Actor("desk"), "N0001", "New", "Person")
    finally:
        remote.close()
        local.close()


def test_migrate_to_refuses_a_database_that_is_not_empty(
    pg_empty: ServerTarget, paths: DataPaths
) -> None:
    _local_with_data(paths)
    migrate_to(paths, pg_empty)
    with pytest.raises(MigrateError, match="not empty"):
        migrate_to(paths, pg_empty)


def test_check_on_the_server_finds_a_broken_document_and_a_broken_link(
    pg_empty: ServerTarget, paths: DataPaths
) -> None:
    _local_with_data(paths)
    migrate_to(paths, pg_empty)
    st = open_server_store(paths, pg_empty, create=False)
    try:
        with st.session() as s:
            report = checks.check_database(s)
        assert report.problem is None
        assert any("not checked on a server" in line for line in report.lines)
        with st.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE prior_auth_documents SET content = 'x'::bytea "
                    "WHERE id = (SELECT max(id) FROM prior_auth_documents)"
                )
            )
        with st.session() as s:
            report = checks.check_database(s)
        assert report.problem is not None and report.problem.startswith("documents: 1 of ")
        # PostgreSQL enforces links; someone with the owner's rights drops one and breaks it
        with st.engine.begin() as conn:
            conn.execute(
                text("ALTER TABLE coverages DROP CONSTRAINT fk_coverages_patient_id_patients")
            )
            conn.execute(
                text(
                    "UPDATE coverages SET patient_id = 999999 WHERE id = (SELECT min(id) FROM coverages)"
                )
            )
        with st.session() as s:
            report = checks.check_database(s)
        assert report.problem == "links between records: 1 broken (in coverages)"
    finally:
        st.close()


def test_a_server_backup_restores_locally_and_into_an_empty_server_database(
    pg_empty: ServerTarget, paths: DataPaths, tmp_path: Path
) -> None:
    _local_with_data(paths)
    migrate_to(paths, pg_empty)
    st = open_server_store(paths, pg_empty, create=False)
    out = tmp_path / "server.idbk"
    try:
        with st.engine.connect() as conn:
            server_sums = checksums(conn)  # what the backup holds
        manifest = make_backup(st, out)
    finally:
        st.close()
    recovery_text = keys.recovery_key(keys.read_store_id(paths))
    assert recovery_text is not None
    assert manifest.counts["patients"] > 30

    # the same format as a local backup: restores into a local data folder
    other = DataPaths(tmp_path / "other-computer")
    restore_backup(other, out, recovery_text)
    local = open_store(other, create=False, exclusive=False)
    try:
        with local.session() as s:
            assert checks.check_database(s).problem is None
            assert checks.counts(s)["patients"] == manifest.counts["patients"]
    finally:
        local.close()

    # and into an empty server database
    from tests.conftest import drop_pg_database, new_pg_database

    fresh = new_pg_database(None)
    try:
        server.save_password(fresh, PG_PASSWORD)
        restore_to_server(paths, fresh, out, recovery_text)
        back = open_server_store(paths, fresh, create=False)
        try:
            with back.engine.connect() as conn:
                sums = checksums(conn)
            for name, mine in server_sums.items():
                audit_rows = name.startswith("audit_")  # + the restore's entry
                extra = 1 if name == "audit_events" else 0
                assert sums[name].rows == mine.rows + extra, name
                if not audit_rows:
                    assert sums[name].checksum == mine.checksum, name
            with back.session() as s:
                assert checks.check_database(s).problem is None
        finally:
            back.close()
    finally:
        drop_pg_database(fresh.dbname)


def test_a_second_workstation_joins_with_the_recovery_key(
    pg_target: ServerTarget, paths: DataPaths, memory_keyring: Any
) -> None:
    st = open_server_store(paths, pg_target)
    store_id = st.store_id
    recovery_text = keys.recovery_key(store_id)
    st.close()
    assert recovery_text is not None
    # a new workstation: its keychain holds only the database password
    for k in [k for k in memory_keyring.entries if not k[1].startswith("db-password:")]:
        del memory_keyring.entries[k]
    with pytest.raises(DatabaseOpenError, match="has not joined"):
        open_server_store(paths, pg_target)
    engine = server.make_server_engine(pg_target)
    try:
        with engine.begin() as conn:
            with pytest.raises(DatabaseOpenError, match="does not fit"):
                server.join(conn, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")
            server.join(conn, recovery_text)
    finally:
        engine.dispose()
    st = open_server_store(paths, pg_target)
    try:
        with st.session() as s:
            _patient(s, Actor("desk2"), "J0001", "Joined", "Desk")
            assert verify_chain(s) == []  # the same audit key: one chain for all
    finally:
        st.close()


def test_a_wrong_password_or_ca_is_a_clear_message(
    pg_target: ServerTarget, paths: DataPaths, tmp_path: Path, allow_warnings: None
) -> None:
    with pytest.raises(DatabaseOpenError, match="refused the password"):
        server.make_server_engine(pg_target, "not-the-password")
    other_ca = tmp_path / "other-ca.crt"
    import subprocess

    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
            "-keyout",
            str(tmp_path / "k"),
            "-out",
            str(other_ca),
        ],
        check=True,
        capture_output=True,
    )
    wrong = replace(pg_target, ca_file=str(other_ca))
    with pytest.raises(DatabaseOpenError, match="certificate could not be checked"):
        server.make_server_engine(wrong, PG_PASSWORD)
    with pytest.raises(DatabaseOpenError, match="does not exist"):
        server.make_server_engine(replace(pg_target, ca_file=str(tmp_path / "none.crt")))


def test_the_password_is_never_written_to_a_file(
    pg_empty: ServerTarget,
    paths: DataPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Through the command line: db-password, migrate-to, check, backup; then every file in
    the data folder (logs included) and the backup are searched for the password."""
    from infudesk import cli

    _local_with_data(paths)
    st = open_store(paths)
    try:
        with st.session() as s:  # a backup is a manager's work: one signs in with --user
            staff.create_first_manager(s, "boss", "Bea Boss", MANAGER_PASSWORD)
    finally:
        st.close()
    monkeypatch.setenv("INFUDESK_PASSWORD", MANAGER_PASSWORD)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PG_PASSWORD)
    url = pg_empty.url
    ca = ["--ca-file", str(pg_empty.ca_file)] if pg_empty.ca_file else []
    common = ["--data-dir", str(paths.root), "--database", url, *ca]
    assert cli.main(["db-password", *common]) == 0
    assert cli.main(["migrate-to", *common]) == 0
    assert cli.main(["check", *common]) == 0
    backup = ["backup", *common, "--user", "boss", "--out", str(paths.root / "b.idbk")]
    assert cli.main(backup) == 0
    out = capsys.readouterr()
    assert "every table's count and checksum match" in out.out
    needle = PG_PASSWORD.encode()
    files = [p for p in paths.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)  # the logs were written, and searched
    assert [p for p in files if needle in p.read_bytes()] == []
    assert PG_PASSWORD not in out.out + out.err


def test_the_models_match_the_migrated_schema_on_postgresql(pg_target: ServerTarget) -> None:
    """One Alembic history for both engines: the models (byte-order keys included) describe
    what the migrations made on the server."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from infudesk.store.models import Base

    engine = server.make_server_engine(pg_target)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
            collations: dict[str, str] = dict(
                conn.execute(
                    text(
                        "SELECT table_name || '.' || column_name, collation_name FROM "
                        "information_schema.columns WHERE column_name IN ('token', 'sort_last')"
                        " AND data_type LIKE 'character%'"  # the text keys (not change_log's)
                    )
                ).all()
            )
        assert collations == {"patient_tokens.token": "C", "patients.sort_last": "C"}
    finally:
        engine.dispose()


def test_two_workstations_writing_at_once_never_deadlock_and_keep_one_chain(
    pg_target: ServerTarget, paths: DataPaths
) -> None:
    """One workstation creates patients (a flush of the patient, which bumps the change
    counter, then one of its audit entry); the other opens records (a flush of the audit
    entry alone: chain, then counter). Without one lock order the two wait on each other
    (PostgreSQL aborts one: "deadlock detected"); with the writers' lock (store/writers.py)
    taken first everywhere, every save lands, one audit chain, one count per save."""
    one = open_server_store(paths, pg_target)
    two = _second_workstation(one)
    per = 12
    errors: list[BaseException] = []
    try:
        with one.session() as s:
            before = change_token(s)

        with one.session() as s:
            seen = _patient(s, Actor("deskA"), "W0", "Ona", "Seen")

        def create(st: Store) -> None:
            try:
                for i in range(per):
                    with st.session() as s:
                        _patient(s, Actor("deskA"), f"WA{i:03d}", "Wen", "Lo" + "o" * i)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                errors.append(exc)

        def view(st: Store) -> None:
            try:
                for _ in range(per * 3):
                    with st.session() as s:
                        ps.open_patient(s, Actor("deskB"), seen)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                errors.append(exc)

        threads = [
            threading.Thread(target=create, args=(one,)),
            threading.Thread(target=view, args=(two,)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        with one.session() as s:
            assert change_token(s) == before + 1 + per + 3 * per
            assert verify_chain(s) == []
            assert len(ps.search(s, "wen")) == per
    finally:
        two.close()
        one.close()
