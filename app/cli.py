"""The `coach` command line: composition root for serve, migrate, roster import and demo."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError

from app import logs
from app.clock import system_clock
from app.config import ConfigError, Settings, gong_credentials, slack_credentials, token_cipher
from app.crm.check import check_crm, set_up_fields
from app.crm.credentials import environment_crm
from app.db import migrate as migrations
from app.db.models import Workspace
from app.db.sender_lock import SenderBusy, single_sender
from app.db.store import Store
from app.db.token_reseal import reseal_tokens
from app.delivery.roster_import import SlackRefused, import_roster
from app.delivery.stop_signals import stop_on_signals
from app.delivery.tick import Outbox
from app.deps import Deps
from app.recorder.check import check_connection
from app.rules.exports import AuditAction
from app.server import StartupError, check_schema
from app.services import erasure, exports, person_data
from app.services.roster import RosterInvalid, RosterRow, read_roster_rows
from app.slack.client import OutboxClients, bot_token, error_code, make_web_client
from app.slack.workspace_access import resume_with_token
from app.token_cipher import TokenKeyError, new_key_line


class CliError(Exception):
    """A command failed in an expected way; the message says what to do."""


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise CliError(
            f"{name} is not valid ({first['msg']}): fix it in the environment or .env."
        ) from exc


async def _migrate(settings: Settings) -> str:
    deps = Deps.build(settings, system_clock)
    try:
        before = await migrations.schema_state(deps.engine)
        await migrations.upgrade(deps.engine)
        after = await migrations.schema_state(deps.engine)
    except OSError as exc:
        raise CliError(
            f"Cannot reach the database at DATABASE_URL ({exc}): is it running?"
        ) from exc
    finally:
        await deps.close()
    if before.current == after.current:
        return f"Database already at the newest schema ({after.current})."
    return f"Database migrated from {before.current or 'empty'} to {after.current}."


async def _team_for_import(store: Store, settings: Settings, team: str | None) -> str:
    if team:
        return team
    known = await store.workspaces()
    if len(known) == 1:
        return known[0].team_id
    if len(known) > 1:
        raise CliError("coach serves several workspaces here: pass --team with this roster's one.")
    if settings.slack_bot_token is None:
        raise CliError(
            "coach doesn't know your Slack workspace yet: pass --team T0123ABCD "
            "(your workspace id), or set SLACK_BOT_TOKEN so coach can look it up."
        )
    client = make_web_client(settings, settings.slack_bot_token.get_secret_value())
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        raise CliError(
            f"Slack refused SLACK_BOT_TOKEN ({error_code(exc)}): check the token, or pass --team."
        ) from exc
    return str(answer["team_id"])


def _read_roster(path: Path) -> list[RosterRow]:
    """The file's rows, read line by line and each checked as it comes (the text is never
    held whole), or what is wrong with it."""
    try:
        with path.open(encoding="utf-8", newline="") as lines:
            return read_roster_rows(lines)
    except FileNotFoundError as exc:
        raise CliError(f"There is no file at {path}: check the path.") from exc
    except UnicodeDecodeError as exc:  # on whichever line the bad bytes are
        raise CliError(f"{path} is not UTF-8 text: save it as CSV (UTF-8) and try again.") from exc
    except RosterInvalid as exc:
        raise _invalid(path, exc) from exc


def _invalid(path: Path, exc: RosterInvalid) -> CliError:
    lines = [f"{path.name} {problem}" for problem in exc.problems]
    problems = f"{exc.total:,} problem{'s' if exc.total != 1 else ''}"
    if exc.unlisted:
        lines.append(
            f"{path.name}: {exc.unlisted:,} more not listed ({problems} on "
            f"{exc.lines:,} line{'s' if exc.lines != 1 else ''} in all)."
        )
        lines.append(
            f"Nothing was imported: fix the {problems} (the first {len(exc.problems)} above) "
            "and run the import again."
        )
    else:
        lines.append(f"Nothing was imported: fix the {problems} above and run the import again.")
    return CliError("\n".join(lines))


async def _import_roster(
    settings: Settings, path: Path, rows: list[RosterRow], team: str | None
) -> str:
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        async with deps.reads() as session:
            team_id = await _team_for_import(Store(session), settings, team)
        token = await bot_token(deps, team_id)
        client = make_web_client(settings, token) if token else None
        report = await import_roster(deps, rows, team_id, client)
    except RosterInvalid as exc:
        raise _invalid(path, exc) from exc
    except (StartupError, SlackRefused) as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return report.describe()


async def _workspace(store: Store, team: str | None) -> Workspace:
    known = await store.workspaces()
    if team:
        found = next((w for w in known if w.team_id == team), None)
        if found is None:
            raise CliError(f"coach has no workspace {team}: check the id (T…) with --team.")
        return found
    if len(known) == 1:
        return known[0]
    if not known:
        raise CliError("coach has no workspace yet: import a roster first.")
    raise CliError("coach serves several workspaces here: pass --team with the one you mean.")


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise CliError(f"Cannot write {path} ({exc.strerror}): check the path.") from exc


async def _export(settings: Settings, out: Path, team: str | None) -> str:
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        async with deps.db.begin() as session:
            store = Store(session)
            workspace = await _workspace(store, team)
            found = await exports.history_of_workspace(
                store, workspace, deps.clock(), settings.coach_default_tz
            )
            _write(out, found.csv)
    except StartupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return (
        f"Wrote {out}: {found.rows} rows, {found.weeks} weeks × {found.reps} reps up to "
        f"{found.cycle}. Private notes are not included."
    )


async def _person(
    settings: Settings, action: str, slack_user_id: str, out: Path | None, team: str | None
) -> str:
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        async with deps.db.begin() as session:
            store = Store(session)
            workspace = await _workspace(store, team)
            now = deps.clock()
            if action == "export":
                assert out is not None
                person = await store.person(workspace.id, slack_user_id)
                if person is None:
                    raise CliError(f"Nobody with the Slack id {slack_user_id} is on the roster.")
                found = await person_data.full_data(store, person)
                exports.audit(store, workspace.id, AuditAction.EXPORT_PERSON, now, None, person)
                _write(out, found.json)
                return f"Wrote everything coach holds about {slack_user_id} to {out}."
            erased = await erasure.erase_person(store, workspace.id, slack_user_id, now, None)
    except erasure.NothingToErase as exc:
        raise CliError(
            f"Nobody with the Slack id {slack_user_id} is on the roster: nothing to erase "
            "(already erased, or never added). Nothing changed."
        ) from exc
    except erasure.StillLeads as exc:
        raise CliError(
            f"{', '.join(exc.reports)} still report to {slack_user_id}: move them to another "
            "manager first (`/coach move`). Nothing changed."
        ) from exc
    except StartupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return (
        f"Erased {slack_user_id}'s personal data; their weeks stay in the team's figures as "
        f"{erased.anonymous_id}, and nothing more will be sent to them."
    )


def _confirmed(slack_user_id: str, yes: bool) -> None:
    if yes:
        return
    typed = input(
        f"This erases everything coach holds about {slack_user_id}, for good. "
        "Type the Slack id again to go on: "
    )
    if typed.strip() != slack_user_id:
        raise CliError("The id typed did not match: nothing was erased.")


def _instant(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time: write it like 2026-11-23T09:00:00+01:00"
        ) from exc
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset: add one, like 2026-11-23T09:00:00+01:00 or ...Z"
        )
    return when.astimezone(UTC)


async def _tick(settings: Settings, now: datetime | None) -> str:
    credentials = slack_credentials(settings)  # a ConfigError names the variable to set
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        if credentials.bot_token is not None:  # one token: see whether it works again
            await resume_with_token(deps, make_web_client(settings, credentials.bot_token))
        outbox = Outbox(deps, OutboxClients(deps))
        with single_sender(settings.database_url), stop_on_signals(outbox.stop):
            try:
                report = await outbox.tick(now)
            finally:
                await outbox.release()
    except (StartupError, SenderBusy) as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return f"Tick at {(now or deps.clock()):%Y-%m-%d %H:%M} UTC: {report.describe()}."


async def _reseal_tokens(settings: Settings) -> str:
    cipher = token_cipher(settings)
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        resealed = await reseal_tokens(deps.engine, cipher)
    except TokenKeyError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return (
        f"Sealed {resealed.changed} Slack tokens with key {cipher.current!r}; "
        f"{resealed.current} already were. Keys after the first can now be removed."
    )


async def _crm(settings: Settings, action: str) -> tuple[bool, str]:
    credentials = environment_crm(settings)
    if credentials is None:
        raise CliError(
            "Set SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE, "
            'or HUBSPOT_TOKEN, first (README, "The CRM").'
        )
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        if action == "setup":
            return await set_up_fields(deps, credentials)
        result = await check_crm(deps, credentials)
    except StartupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return result.works and result.fields_ready, result.sentence()


async def _gong_check(settings: Settings) -> tuple[bool, str]:
    credentials = gong_credentials(settings)
    if credentials is None:
        raise CliError(
            "Set GONG_API_URL, GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET first "
            "(Gong > Company settings > API)."
        )
    deps = Deps.build(settings, system_clock)
    try:
        await check_schema(deps)
        result = await check_connection(deps, credentials)
    except StartupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await deps.close()
    return result.works, result.sentence()


def _new_key(key_id: str | None) -> str:
    try:
        return new_key_line(key_id)
    except TokenKeyError as exc:
        raise CliError(str(exc)) from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Slack bot for a sales manager's weekly coaching loop."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="run the bot (HTTP on PORT, or Socket Mode)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    roster = commands.add_parser("roster", help="manage who is coached by whom")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    importer = roster_commands.add_parser("import", help="create or update people from a CSV file")
    importer.add_argument(
        "file", type=Path, help="slack_user_id,role,manager_slack_user_id[,email,timezone]"
    )
    importer.add_argument(
        "--team", help="Slack workspace id (T…); needed before coach has met Slack"
    )
    ticker = commands.add_parser("tick", help="send everything the weekly cadence has due, once")
    ticker.add_argument(
        "--now", type=_instant, help="act as if it were this time (ISO-8601 with offset)"
    )
    tokens = commands.add_parser("tokens", help="keys that seal stored Slack tokens (OAuth mode)")
    token_commands = tokens.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    new_key = token_commands.add_parser(
        "new-key", help="print a fresh id:key for the front of COACH_TOKEN_KEYS"
    )
    new_key.add_argument("--id", dest="key_id", help="the key's id (default: k<today>)")
    token_commands.add_parser(
        "reseal", help="seal every stored token with the first key in COACH_TOKEN_KEYS"
    )
    crm = commands.add_parser(
        "crm", help="the CRM (Salesforce or HubSpot) set by SALESFORCE_*/HUBSPOT_*"
    )
    crm_commands = crm.add_subparsers(dest="crm_command", required=True, metavar="ACTION")
    crm_commands.add_parser(
        "check", help="say whether the CRM answers, has the fields, whom it matched"
    )
    crm_commands.add_parser(
        "setup", help="create the two write-back fields (HubSpot) or print them"
    )
    export = commands.add_parser(
        "export", help="write the coaching history (one row per rep and week) as CSV"
    )
    export.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    export.add_argument("--team", help="Slack workspace id (T…), when coach serves several")
    person = commands.add_parser("person", help="one person's data: export it, or erase it")
    person_commands = person.add_subparsers(dest="person_command", required=True, metavar="ACTION")
    person_export = person_commands.add_parser(
        "export", help="write everything coach holds about someone as JSON"
    )
    person_export.add_argument("slack_user_id", help="their Slack id (U…)")
    person_export.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    person_export.add_argument("--team", help="Slack workspace id (T…), when several")
    erase = person_commands.add_parser(
        "erase", help="erase someone's personal data (their team's figures stay)"
    )
    erase.add_argument("slack_user_id", help="their Slack id (U…)")
    erase.add_argument("--yes", action="store_true", help="don't ask to type the id again")
    erase.add_argument("--team", help="Slack workspace id (T…), when several")
    gong = commands.add_parser("gong", help="the call recorder (Gong) set by GONG_*")
    gong_commands = gong.add_subparsers(dest="gong_command", required=True, metavar="ACTION")
    gong_commands.add_parser("check", help="say whether Gong answers and whom it matched")
    demo = commands.add_parser(
        "demo", help="run coach against the built-in Slack sandbox and print it"
    )
    demo.add_argument(
        "--crm",
        choices=("hubspot", "salesforce"),
        default="hubspot",
        help="which CRM stand-in holds the sample deals (default: hubspot)",
    )
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    # The demo's transcript says what it refuses; its log would only repeat it, mid-line.
    quiet = {"serve": "INFO", "demo": "ERROR"}
    logs.configure(quiet.get(args.command, "WARNING"))
    try:
        if args.command == "demo":
            from app.demo import run_demo

            asyncio.run(run_demo(sys.stdout, crm=args.crm))
            return 0
        if args.command == "tokens" and args.tokens_command == "new-key":
            print(_new_key(args.key_id))
            return 0
        settings = _settings()
        if args.command == "serve":
            from app.server import serve

            serve(settings)
        elif args.command == "migrate":
            print(asyncio.run(_migrate(settings)))
        elif args.command == "tick":
            print(asyncio.run(_tick(settings, args.now)))
        elif args.command == "tokens":
            print(asyncio.run(_reseal_tokens(settings)))
        elif args.command == "gong":
            works, sentence = asyncio.run(_gong_check(settings))
            print(sentence, file=sys.stdout if works else sys.stderr)
            return 0 if works else 1
        elif args.command == "crm":
            works, sentence = asyncio.run(_crm(settings, args.crm_command))
            print(sentence, file=sys.stdout if works else sys.stderr)
            return 0 if works else 1
        elif args.command == "export":
            print(asyncio.run(_export(settings, args.out, args.team)))
        elif args.command == "person":
            if args.person_command == "erase":
                _confirmed(args.slack_user_id, args.yes)
            out = getattr(args, "out", None)
            print(
                asyncio.run(
                    _person(settings, args.person_command, args.slack_user_id, out, args.team)
                )
            )
        elif args.command == "roster":
            rows = _read_roster(args.file)
            print(asyncio.run(_import_roster(settings, args.file, rows, args.team)))
    except (CliError, ConfigError, StartupError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        return 130
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))
