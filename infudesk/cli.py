"""The command line: `infudesk` opens the app; subcommands serve admins, scripts and tests."""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from infudesk import __version__
from infudesk.errors import UserError
from infudesk.paths import DataPaths, resolve_data_dir

if TYPE_CHECKING:
    from infudesk.services.audit import Actor
    from infudesk.store.database import Store

log = logging.getLogger("infudesk.cli")
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
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    seed = sub.add_parser("seed", help="fill a database with generated fictional patients")
    _common(seed, suppress=True)
    seed.add_argument("--patients", type=int, default=0, metavar="N", help="add N patients")
    seed.add_argument("--rng-seed", type=int, default=None, help="for repeatable data")
    _who(seed)

    export = sub.add_parser("export", help="export records")
    _common(export, suppress=True)
    export_sub = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    ep = export_sub.add_parser("patient", help="write a patient's whole record as record.json")
    _common(ep, suppress=True)
    ep.add_argument("mrn")
    ep.add_argument("--out", required=True, metavar="DIR")
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
    letter.add_argument(
        "--lang",
        choices=["en", "es"],
        default=None,
        help="language of a patient letter (default: the patient's)",
    )
    _who(letter)

    staff = sub.add_parser("staff", help="staff accounts (the first manager, or more)")
    _common(staff, suppress=True)
    staff_sub = staff.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = staff_sub.add_parser(
        "add",
        help="add a staff account; the first account of a database is a manager and needs "
        f"no --user. The new password is asked on the terminal (or {ENV_NEW_PASSWORD}).",
    )
    _common(add, suppress=True)
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name shown on screen")
    add.add_argument("--role", choices=["front_desk", "counselor", "manager"], default="front_desk")
    _who(add)
    return parser


def _paths(args: argparse.Namespace) -> DataPaths:
    return DataPaths(resolve_data_dir(args.data_dir, demo=args.demo))


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
    from infudesk.services.access import Permission, require
    from infudesk.services.demo import seed_demo
    from infudesk.services.seed import seed_patients
    from infudesk.store.database import open_store

    if not args.demo and args.patients <= 0:
        print(
            "infudesk seed: say what to add: --demo and/or --patients N (N > 0).", file=sys.stderr
        )
        return 2
    need_user(args, "seed")
    paths = _paths(args)
    store = open_store(paths, demo=args.demo)
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
    print(f"Added {added:,} patients to {paths.db} in {time.perf_counter() - started:.1f} s.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from infudesk.services.export import export_patient
    from infudesk.store.database import open_store

    need_user(args, "export")
    store = open_store(_paths(args), demo=args.demo, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "export")
        with store.session() as s:
            target = export_patient(s, actor, args.mrn, Path(args.out))
    finally:
        store.close()
    print(f"Wrote {target}")
    return 0


def cmd_quote(args: argparse.Namespace) -> int:
    """Pure computation: no data folder, logging set-up, database or Qt."""
    from infudesk.domain.quote_request import RequestError, run

    try:
        raw = sys.stdin.buffer.read() if args.json == "-" else Path(args.json).read_bytes()
    except OSError as exc:
        print(f"infudesk quote: cannot read {args.json}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        out = run(raw)
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
    from infudesk.services import letters
    from infudesk.services import patients as ps
    from infudesk.store.database import open_store

    out = Path(args.out)
    if out.exists() and out.is_dir():
        print(
            f"infudesk letter: {out} is a folder: give a file name ending in .pdf.", file=sys.stderr
        )
        return 2
    need_user(args, "letter")
    store = open_store(_paths(args), demo=args.demo, create=False, exclusive=False)
    try:
        actor = cli_actor(args, store, "letter")
        with store.session() as s:
            patient = ps.get_by_mrn(s, args.patient)
            letter = letters.render(
                s, actor, args.kind, patient.id, today=date.today(), lang=args.lang
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_bytes(letter.pdf)
            tmp.replace(out)
            letters.record_output(s, actor, letter, action="save", target=str(out))
    finally:
        store.close()
    print(f"Wrote {out} ({len(letter.pdf) // 1024} KB)")
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    from infudesk.services import staff
    from infudesk.services.access import Role
    from infudesk.store.database import open_store

    store = open_store(_paths(args), demo=args.demo)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "quote":  # before anything creates folders, logs or imports Qt
        return cmd_quote(args)
    from infudesk.logsetup import configure

    paths = _paths(args)
    if args.command in (None, "seed"):
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
        if args.command == "staff":
            return cmd_staff_add(args)
        from infudesk.app import run_gui

        return run_gui(_paths(args), demo=args.demo)
    except UserError as exc:
        print(f"infudesk: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("unexpected error")
        print(
            "infudesk: something unexpected went wrong. Nothing was saved from the failed step. "
            "Details are in the log file in the data folder's 'logs' directory.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
