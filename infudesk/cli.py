"""The command line: `infudesk` opens the app; subcommands serve admins, scripts and tests."""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infudesk import __version__
from infudesk.errors import UserError
from infudesk.paths import DataPaths, resolve_data_dir

if TYPE_CHECKING:
    from infudesk.services.audit import Actor
    from infudesk.store.database import Store

log = logging.getLogger("infudesk.cli")
MAX_SEED_PATIENTS = 1_000_000
BUSY = (
    "the database is busy: another infudesk is writing to it. Nothing was saved from this "
    "step; try again in a moment."
)
ENV_PASSWORD = "INFUDESK_PASSWORD"
ENV_NEW_PASSWORD = "INFUDESK_NEW_PASSWORD"


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data-dir",
        default=default,
        metavar="PATH",
        help="folder of the database (default: INFUDESK_DATA_DIR, else the user data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use the demo database (fictional patients, clearly marked DEMO)",
    )
    parser.add_argument(
        "--database",
        default=default,
        metavar="URL",
        help="a shared PostgreSQL database, postgresql://ROLE@HOST:PORT/DB (no password: see "
        "db-password; default: INFUDESK_DATABASE, else Settings > Database, else the local "
        "encrypted database)",
    )
    parser.add_argument(
        "--ca-file",
        default=default,
        metavar="PATH",
        help="the CA certificate that signed the server's (default: INFUDESK_DATABASE_CA, "
        "else Settings, else the system's trust store)",
    )


def _who(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None,
        help="who acts (a staff username); the password is asked on the terminal, or read "
        f"from {ENV_PASSWORD} for scripts. Not needed with --demo.",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infudesk", description="Front-desk app of an infusion center."
    )
    parser.add_argument("--version", action="version", version=f"infudesk {__version__}")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the app, show the main window, close it once shown and exit (0 if the "
        "database opened and passed its page check, else non-zero); for checking an install",
    )
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    seed = sub.add_parser("seed", help="fill a database with generated fictional patients")
    _common(seed, suppress=True)
    seed.add_argument(
        "--patients",
        type=int,
        default=0,
        metavar="N",
        help=f"add N patients (at most {MAX_SEED_PATIENTS:,})",
    )
    seed.add_argument("--rng-seed", type=int, default=None, help="for repeatable data")
    _who(seed)

    export = sub.add_parser("export", help="export records")
    _common(export, suppress=True)
    export_sub = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    ep = export_sub.add_parser("patient", help="write a patient's whole record as record.json")
    _common(ep, suppress=True)
    ep.add_argument("mrn")
    ep.add_argument("--out", required=True, metavar="DIR")
    ep.add_argument("--force", action="store_true", help="replace files already in DIR")
    _who(ep)

    quote = sub.add_parser("quote", help="what a visit or a course costs: JSON in, JSON out")
    quote.add_argument(
        "--json",
        required=True,
        metavar="FILE",
        help="the request (spec/quote-json.md); - for stdin",
    )
    letter = sub.add_parser("letter", help="render a document to PDF without the GUI")
    _common(letter, suppress=True)
    letter.add_argument(
        "kind",
        choices=["cost-letter", "gfe", "pa-packet", "appeal", "verification"],
        help="which document",
    )
    letter.add_argument("--patient", required=True, metavar="MRN")
    letter.add_argument("--out", required=True, metavar="FILE.pdf")
    letter.add_argument("--force", action="store_true", help="replace FILE.pdf if it exists")
    letter.add_argument(
        "--lang",
        choices=["en", "es"],
        default=None,
        help="language of a patient letter (default: the patient's)",
    )
    source = letter.add_mutually_exclusive_group()
    source.add_argument(
        "--compute-now",
        action="store_true",
        help="a cost letter or GFE with the figures computed now: today's terms and "
        "accumulators, the visits from today on (the default)",
    )
    source.add_argument(
        "--from-saved-quote",
        type=int,
        metavar="N",
        help="a cost letter or GFE with the figures of the patient's saved quote number N "
        "(printed with the day it was made); refused when it may be out of date, unless "
        "--even-if-out-of-date",
    )
    letter.add_argument(
        "--even-if-out-of-date",
        action="store_true",
        help="with --from-saved-quote: print it even if it may be out of date",
    )
    letter.add_argument(
        "--override-warnings",
        action="store_true",
        help="leave the estimate's warnings off a patient letter (recorded in the audit trail)",
    )
    _add_safety_commands(sub)
    _add_server_commands(sub)
    _who(letter)

    staff = sub.add_parser("staff", help="staff accounts (the first manager, or more)")
    _common(staff, suppress=True)
    staff_sub = staff.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = staff_sub.add_parser(
        "add",
        help="add a staff account; the first account of a database must be a manager "
        f"(--role manager) and needs no --user. The new password is asked on the terminal (or {ENV_NEW_PASSWORD}).",
    )
    _common(add, suppress=True)
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown on screen")
    add.add_argument("--role", choices=["front_desk", "counselor", "manager"], default="front_desk")
    _who(add)
    return parser


def _add_safety_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="check the database: pages, links, schema, documents")
    _common(check, suppress=True)
    backup = sub.add_parser("backup", help="write a backup (restores on any computer)")
    _common(backup, suppress=True)
    _who(backup)
    backup.add_argument(
        "--out",
        metavar="FILE",
        default=None,
        help="the backup file (default: the data folder's backups/)",
    )
    sheet = sub.add_parser(
        "recovery-sheet",
        help="write the recovery sheet (the key that opens every backup) as a PDF to print",
    )
    _common(sheet, suppress=True)
    _who(sheet)
    sheet.add_argument(
        "--out", metavar="FILE", required=True, help="the PDF to write (print it, then delete it)"
    )
    sheet.add_argument("--force", action="store_true", help="replace FILE if it exists")
    restore = sub.add_parser("restore", help="replace the database with a backup")
    _common(restore, suppress=True)
    _who(restore)
    restore.add_argument("file", metavar="FILE", help="a backup file (.idbk)")
    restore.add_argument(
        "--recovery-key",
        metavar="KEY",
        default=None,
        help="the key on the recovery sheet (asked for when not given)",
    )


def _paths(args: argparse.Namespace) -> DataPaths:
    return DataPaths(resolve_data_dir(args.data_dir, demo=args.demo))


def _target(args: argparse.Namespace) -> Any:
    """The shared server this run uses (None: the local encrypted database)."""
    from infudesk.store.server import resolve_target

    if args.demo:
        return None
    return resolve_target(_paths(args).root, args.database, args.ca_file)


# commands that make and fill the demo database on first use when given --demo (in the
# demo's own folder; a --data-dir the user names is never filled unasked)
DEMO_ON_FIRST_USE = ("letter", "export", "check")


def _demo_on_first_use(args: argparse.Namespace) -> bool:
    return bool(args.demo and args.command in DEMO_ON_FIRST_USE and not args.data_dir)


def _open(args: argparse.Namespace, **kw: Any) -> Any:
    from infudesk.errors import DatabaseOpenError
    from infudesk.store.database import open_target

    if _demo_on_first_use(args):
        _ensure_demo(_paths(args))
    paths, target = _paths(args), _target(args)
    try:
        return open_target(paths, target, demo=args.demo, **kw)
    except DatabaseOpenError as exc:
        root = paths.root
        first = next((p for p in (root, *root.parents) if p.exists()), root)
        folder_fine = first.is_dir()  # the folder, or where it would be made, is no file
        missing = target is None and folder_fine and not paths.db.exists()
        if not missing or (not args.demo and paths.demo_key.exists()):
            raise
        raise UserError(_how_to_make(args, paths)) from exc


def _how_to_make(args: argparse.Namespace, paths: DataPaths) -> str:
    """What to run when a command reads a database that was never made."""
    what = "database in" if paths.root.is_dir() else "data folder at"
    if args.demo:
        return (
            f"There is no demo {what} {paths.root}: make it with `infudesk seed --demo "
            f"--data-dir {paths.root}`, or leave out --data-dir (the demo's own folder is "
            "made on first use)."
        )
    return (
        f"There is no infudesk {what} {paths.root} yet. Start infudesk once to create it "
        '(or, without a screen, `infudesk staff add USERNAME --name "Full Name" --role '
        "manager`, which creates it with its first manager); if it lives elsewhere, give "
        "--data-dir."
    )


def _ensure_demo(paths: DataPaths) -> None:
    """The demo database, made and filled the first time a command reads it (as the app
    does at `infudesk --demo`)."""
    if paths.db.exists():
        return
    from infudesk.app import open_for_gui

    print(f"infudesk: making the demo database in {paths.root} (first use)...", file=sys.stderr)
    open_for_gui(paths, demo=True).close()


def need_user(args: argparse.Namespace, command: str) -> None:
    """Refuse before touching anything when a real database is used without --user."""
    if not args.demo and not getattr(args, "user", None):
        raise UserError(
            f"{command} changes or exports data: say who acts with --user NAME (the password "
            f"is asked on the terminal, or read from {ENV_PASSWORD} for scripts)."
        )


def _read_password(prompt: str, env: str) -> str:
    import os

    if env in os.environ:
        return os.environ[env]
    if not sys.stdin.isatty():
        raise UserError(f"No terminal to ask the password on: set {env} for scripts.")
    import getpass

    return getpass.getpass(prompt)


def cli_actor(args: argparse.Namespace, store: Store, what: str) -> Actor:
    """Who acts for a command: a named system actor in the demo, else the staff member of
    ``--user`` after a password check (wrong passwords count toward the lock-out)."""
    from infudesk.services import staff
    from infudesk.services.audit import Actor

    if store.demo:
        return Actor.system(what)
    need_user(args, what)
    with store.session() as s:
        if not staff.has_staff(s):
            raise UserError(
                "This database has no staff accounts yet: start infudesk to create the first "
                "manager, or run `infudesk staff add NAME --name ... --role manager`."
            )
    password = _read_password(f"Password for {args.user}: ", ENV_PASSWORD)
    with store.session() as s:  # committed: a failure is counted and audited
        result = staff.attempt_sign_in(s, args.user, password)
    if result.actor is None:
        raise staff.SignInFailed(result)
    return result.actor


def cmd_seed(args: argparse.Namespace) -> int:
    from infudesk.demo.seed import seed_patients
    from infudesk.demo.showcase import seed_demo
    from infudesk.services.access import Permission, require

    if not args.demo and args.patients <= 0:
        print(
            "infudesk seed: say what to add: --demo and/or --patients N (N > 0).", file=sys.stderr
        )
        return 2
    if args.patients > MAX_SEED_PATIENTS or args.patients < 0:
        print(
            f"infudesk seed: --patients is a number from 1 to {MAX_SEED_PATIENTS:,}.",
            file=sys.stderr,
        )
        return 2
    need_user(args, "seed")
    store = _open(args)
    today = date.today()
    try:
        actor = cli_actor(args, store, "seed")
        require(actor, Permission.SEED)
        started = time.perf_counter()
        added = 0
        if args.demo:
            with store.session() as s:
                added += seed_demo(s, actor, today=today)
        if args.patients > 0:
            rng = random.Random(args.rng_seed)
            with store.session() as s:

                def show(n: int) -> None:
                    print(f"\r  {n:,} / {args.patients:,} patients", end="", file=sys.stderr)

                added += seed_patients(s, actor, args.patients, rng=rng, today=today, progress=show)
            print(file=sys.stderr)
    finally:
        store.close()
    print(f"Added {added:,} patients to {store.label} in {time.perf_counter() - started:.1f} s.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from infudesk.services.export import export_patient

    need_user(args, "export")
    store = _open(args, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "export")
        with store.session() as s:
            target = export_patient(s, actor, args.mrn, Path(args.out), force=args.force)
    finally:
        store.close()
    print(f"Wrote {target}")
    return 0


def cmd_quote(args: argparse.Namespace) -> int:
    """Pure computation: no data folder, logging set-up, database or Qt."""
    from infudesk.domain.quote_request import RequestError, run
    from infudesk.reference import yearly_figures

    try:
        raw = sys.stdin.buffer.read() if args.json == "-" else Path(args.json).read_bytes()
    except OSError as exc:
        print(f"infudesk quote: cannot read {args.json}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        figures = yearly_figures()
    except ValueError as exc:
        print(f"infudesk quote: the yearly figures cannot be read: {exc}", file=sys.stderr)
        return 2
    try:
        out = run(raw, figures)
    except RequestError as exc:
        print(f"infudesk quote: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: still one line, never a traceback
        print(
            f"infudesk quote: internal error ({type(exc).__name__}); please report it "
            "with the request",
            file=sys.stderr,
        )
        return 3
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.flush()
    return 0


def cmd_letter(args: argparse.Namespace) -> int:
    from infudesk.services import letters, outputs
    from infudesk.services import patients as ps

    out = Path(args.out)
    if out.is_dir():
        print(
            f"infudesk letter: {out} is a folder: give a file name ending in .pdf.", file=sys.stderr
        )
        return 2
    need_user(args, "letter")
    if out.exists() and not args.force:
        print(f"infudesk letter: {out} already exists: use --force to replace it.", file=sys.stderr)
        return 2
    outputs.check_folder(out.parent, what="folder for the letter")
    store = _open(args, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "letter")
        with store.session() as s:
            patient = ps.get_by_mrn(s, args.patient)
            source = letters.NOW
            if args.from_saved_quote is not None:
                source = letters.Source(
                    _saved_quote_id(s, patient.id, args.from_saved_quote),
                    accept_stale=args.even_if_out_of_date,
                )
            try:
                letter = letters.render(
                    s,
                    actor,
                    args.kind,
                    patient.id,
                    today=date.today(),
                    lang=args.lang,
                    override_warnings=args.override_warnings,
                    source=source,
                )
            except letters.StaleQuote as stale:
                print(
                    f"infudesk letter: saved quote {stale.number} ({stale.made_on:%m/%d/%Y}) may "
                    f"be out of date: {'; '.join(r.text for r in stale.reasons)}. Use "
                    "--compute-now, or add --even-if-out-of-date to print it anyway.",
                    file=sys.stderr,
                )
                return 2
            letters.save_pdf(s, actor, letter, out, force=args.force)
    finally:
        store.close()
    print(f"Wrote {out} ({len(letter.pdf) // 1024} KB)")
    return 0


def _saved_quote_id(session: Any, patient_id: int, number: int) -> int:
    """The id of the patient's saved quote number ``number`` (the latest order's first)."""
    from infudesk.errors import UserError
    from infudesk.services import quotes as qs

    found = [q for q in qs.list_quotes(session, patient_id) if q.number == number]
    if not found:
        raise UserError(f"This patient has no saved quote number {number}.")
    return found[0].id


def _data_dir_problem(root: Path, *, create: bool) -> str | None:
    """Why ``root`` cannot serve as the data folder (None if it can, as far as we can tell)."""
    if root.exists():
        if not root.is_dir():
            return f"{root} is a file, not a folder: give --data-dir a folder."
        if not os.access(root, os.W_OK | os.X_OK):
            return (
                f"infudesk cannot write in {root} (permission denied): choose another --data-dir."
            )
        return None
    probe = root.parent
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return f"{root} lies under {probe}, which is a file: give --data-dir a folder."
    if create:
        try:
            DataPaths(root).ensure()
        except OSError as exc:
            why = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
            return (
                f"infudesk cannot make the data folder {root} ({why}): choose another --data-dir."
            )
    return None


def _os_error_line(exc: OSError) -> str:
    """One line for a file-system failure, naming the file only if the user chose its path."""
    why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or "error")
    where = f" ({exc.filename})" if exc.filename else ""
    return f"a file could not be written or read{where}: {why}. Nothing was saved from this step."


def cmd_check(args: argparse.Namespace) -> int:
    from infudesk.services.check import check_database

    store = _open(args, create=False, exclusive=False, upgrade=False)
    try:
        with store.session() as s:
            report = check_database(s)
            s.rollback()
    finally:
        store.close()
    print(f"infudesk check: {store.label}")
    for line in report.lines:
        print(f"  {line}")
    if report.problem is not None:
        print(f"infudesk check: FAILED: {report.problem}", file=sys.stderr)
        return 1
    print("infudesk check: OK")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from infudesk.services.access import Permission, require
    from infudesk.services.backup import SUFFIX, ensure_recovery_key, make_backup

    paths = _paths(args)
    if args.demo:  # refused before anything is opened or made
        print(
            "infudesk backup: the demo database is not backed up (its patients are fictional).",
            file=sys.stderr,
        )
        return 2
    need_user(args, "backup")
    store = _open(args, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "backup")
        require(actor, Permission.BACKUP)  # a manager's task
        _key, made = ensure_recovery_key(paths, store.store_id) if not args.demo else ("", False)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = Path(args.out) if args.out else paths.backups / f"infudesk-{stamp}{SUFFIX}"
        manifest = make_backup(store, out, actor)
    finally:
        store.close()
    n = manifest.counts.get("patients", 0)
    print(f"Wrote {out} ({n:,} patients, schema {manifest.schema}).")
    if made:
        print(
            "A recovery key was made for this database: print the recovery sheet "
            "(Settings > Backups > Print recovery sheet, or infudesk recovery-sheet --out "
            "FILE --user NAME) and keep it safe."
        )
    return 0


def cmd_recovery_sheet(args: argparse.Namespace) -> int:
    """The Settings screen's Print recovery sheet, for a manager at a terminal: the sheet
    written readable by this user only, the making kept in the audit trail."""
    from infudesk.services import outputs
    from infudesk.services.backup import recovery_sheet_pdf
    from infudesk.store.files import write_atomic

    if args.demo:  # refused before anything is opened or made
        print(
            "infudesk recovery-sheet: the demo database has no recovery key (it is not backed up).",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    if out.is_dir():
        print(
            f"infudesk recovery-sheet: {out} is a folder: give a file name ending in .pdf.",
            file=sys.stderr,
        )
        return 2
    if out.exists() and not args.force:
        print(
            f"infudesk recovery-sheet: {out} already exists: use --force to replace it.",
            file=sys.stderr,
        )
        return 2
    need_user(args, "recovery-sheet")
    outputs.check_folder(out.parent, what="folder for the sheet")
    if not out.parent.is_dir():
        print(
            f"infudesk recovery-sheet: the folder {out.parent} does not exist: make it first "
            "or give another file name.",
            file=sys.stderr,
        )
        return 2
    store = _open(args, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "recovery-sheet")
        pdf = recovery_sheet_pdf(store, date.today(), actor)
    finally:
        store.close()
    write_atomic(out, pdf)
    print(
        f"Wrote {out} (readable by you only): print it, lock the sheet away (not beside the "
        "computer) and delete the file."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    import getpass

    from infudesk.services.access import Permission, require
    from infudesk.services.backup import read_manifest, restore_backup, restore_to_server

    paths = _paths(args)
    if args.demo:
        print("infudesk restore: the demo database is not restored from backups.", file=sys.stderr)
        return 2
    target = _target(args)
    actor = None
    if target is None and paths.db.exists():  # replacing a database here takes one of its managers
        from infudesk.store.database import open_store

        need_user(args, "restore")
        store = open_store(paths, create=False, exclusive=False)
        try:
            actor = cli_actor(args, store, "restore")
            require(actor, Permission.BACKUP)
        finally:
            store.close()
    # on a new computer (no database here) the recovery key is what proves the right to restore
    manifest = read_manifest(Path(args.file))  # a damaged file is named before asking the key
    key = args.recovery_key or getpass.getpass("Recovery key (from the recovery sheet): ")
    if target is not None:
        restore_to_server(paths, target, Path(args.file), key)
        n = manifest.counts.get("patients", 0)
        print(f"Restored {args.file} ({n:,} patients) into the database {target.label}.")
        return 0
    restore_backup(paths, Path(args.file), key, actor)
    n = manifest.counts.get("patients", 0)
    print(
        f"Restored {args.file} ({n:,} patients, made {manifest.header['created_at']}) into {paths.db}."
    )
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    from infudesk.services import staff
    from infudesk.services.access import Role

    store = _open(args)
    try:
        with store.session() as s:
            first = not staff.has_staff(s)
        if first and args.role != Role.MANAGER.value:
            raise UserError("The first staff account must be a manager: add --role manager.")
        actor = None if first else cli_actor(args, store, "staff")
        password = _read_password(f"New password for {args.username}: ", ENV_NEW_PASSWORD)
        with store.session() as s:
            if actor is None:
                rec = staff.create_first_manager(s, args.username, args.name, password)
            else:
                rec = staff.create_staff(
                    s, actor, args.username, args.name, Role(args.role), password
                )
    finally:
        store.close()
    print(f"Added {rec.username} ({rec.role_label}).")
    return 0


def _add_server_commands(sub: Any) -> None:
    pw = sub.add_parser(
        "db-password",
        help="keep the shared database's password in this computer's keychain (and join it)",
    )
    _common(pw, suppress=True)
    mig = sub.add_parser(
        "migrate-to", help="copy this computer's database into an empty PostgreSQL database"
    )
    _common(mig, suppress=True)


def cmd_db_password(args: argparse.Namespace) -> int:
    """Ask the password (never echoed, never on the command line), check it against the
    server, keep it in the keychain; a workstation new to a set-up database joins it with
    the recovery key."""
    import getpass

    from infudesk.store import server

    target = _target(args)
    if target is None:
        print(
            "infudesk db-password: say which database: --database postgresql://ROLE@HOST/DB",
            file=sys.stderr,
        )
        return 2
    secret = getpass.getpass(f"Password of {target.label}: ")
    engine = server.make_server_engine(target, secret)  # refuses a wrong password
    try:
        server.save_password(target, secret)
        with engine.begin() as conn:
            from infudesk.store import migrate

            if migrate.current_revision(conn) is None:
                print(
                    f"Stored the password of {target.label} (an empty database: the first "
                    "start or migrate-to sets it up)."
                )
                return 0
            store_id = server.server_store_id(conn)
            joined = store_id and server.has_audit_key(store_id)
            if store_id and not joined:
                text = getpass.getpass(
                    "This workstation has not joined this database yet.\n"
                    "Recovery key (from the database's recovery sheet): "
                )
                server.join(conn, text)
                print(f"Stored the password and joined the database {target.label}.")
                return 0
    finally:
        engine.dispose()
    print(f"Stored the password of {target.label} in this computer's keychain.")
    return 0


def cmd_migrate_to(args: argparse.Namespace) -> int:
    from infudesk.services.migrate_to import migrate_to

    paths = _paths(args)
    target = _target(args)
    if target is None or args.demo:
        print(
            "infudesk migrate-to: say where to: --database postgresql://ROLE@HOST:PORT/DB "
            "(an empty database; the demo is not copied).",
            file=sys.stderr,
        )
        return 2

    def show(table: str, done: int, total: int) -> None:
        print(f"\r  {table}: {done:,} / {total:,}".ljust(60), end="", file=sys.stderr)

    report = migrate_to(paths, target, progress=show)
    print(file=sys.stderr)
    for t in report.tables:
        print(f"  {t.name:<22} {t.rows:>10,} rows  sha256 {t.checksum[:16]}…  same on both")
    print(
        f"Copied {report.rows:,} rows into {target.label}; every table's count and checksum "
        f"match. {paths.db} is unchanged. Point the workstations at the server: "
        f"--database {target.url} (or Settings > Database)."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    if sys.dont_write_bytecode and not getattr(sys, "frozen", False):
        # a source checkout (`uv run infudesk`): keep infudesk's own compiled modules, as uv
        # does for the packages (pyproject: compile-bytecode), even where the machine sets
        # PYTHONDONTWRITEBYTECODE; the second start is then as quick as an installed one's
        sys.dont_write_bytecode = False
    args = build_parser().parse_args(argv)
    if args.command == "quote":  # before anything creates folders, logs or imports Qt
        return cmd_quote(args)
    from infudesk.logsetup import configure, log_failure

    if os.name == "posix":  # everything infudesk writes (logs, exports, PDFs) is user-only
        os.umask(0o077)
    paths = _paths(args)
    create = args.command in (None, "seed", "restore") or _demo_on_first_use(args)
    problem = _data_dir_problem(paths.root, create=create)
    if problem:
        print(f"infudesk: {problem}", file=sys.stderr)
        return 2
    if create:
        paths.ensure()  # owner-only folder, before anything else creates it
    if paths.root.exists():
        configure(paths.logs)
    try:
        if args.command == "seed":
            return cmd_seed(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "letter":
            return cmd_letter(args)
        if args.command in SAFETY_COMMANDS:
            return SAFETY_COMMANDS[args.command](args)
        if args.command == "staff":
            return cmd_staff_add(args)
        from infudesk.app import run_gui

        # the shared server's address is read on the worker that opens the store (reading it
        # imports the database layer, which the window does not wait for)
        return run_gui(
            _paths(args), demo=args.demo, resolve=lambda: _target(args), smoke=args.smoke
        )
    except UserError as exc:
        print(f"infudesk: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        log_failure(log, "file error", exc)
        print(f"infudesk: {_os_error_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:
        # (SQLAlchemy is imported here, not before: the GUI's start does without it)
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            text = str(exc.orig if exc.orig is not None else exc).lower()
            if "locked" in text or "busy" in text:
                log.warning("the database was busy (%s)", type(exc.orig).__name__)
                print(f"infudesk: {BUSY}", file=sys.stderr)
                return 1
            log_failure(log, "database error", exc)
            print(f"infudesk: {UNEXPECTED}", file=sys.stderr)
            return 3
        log_failure(log, "unexpected error", exc)
        print(f"infudesk: {UNEXPECTED}", file=sys.stderr)
        return 3


UNEXPECTED = (
    "something unexpected went wrong. Nothing was saved from the failed step. "
    "Details are in the log file in the data folder's 'logs' directory."
)


SAFETY_COMMANDS = {
    "check": cmd_check,
    "backup": cmd_backup,
    "recovery-sheet": cmd_recovery_sheet,
    "restore": cmd_restore,
    "db-password": cmd_db_password,
    "migrate-to": cmd_migrate_to,
}


if __name__ == "__main__":
    sys.exit(main())
