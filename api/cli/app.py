"""The `partnermatch` command line.

Only Typer, Rich, the standard library and the error classes are imported here; every command
imports the actions, the engine and the database layer it needs in its own body, so that
`partnermatch --help` (and a mistyped command) answers at once instead of loading scikit-learn,
SQLAlchemy and pydantic first.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from profiles.errors import PartnermatchError, ValidationFailed

if TYPE_CHECKING:
    from profiles.settings import Settings

GLOBAL_OPTIONS = ("--database-url", "--output-dir")


def misplaced_global_option(args: list[str]) -> tuple[str, str] | None:
    """A global option given after the command (`serve --database-url …`), and that command."""
    command = None
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--":
            return None
        elif command is None:
            if arg in GLOBAL_OPTIONS:
                skip = True
            elif not arg.startswith("-"):
                command = arg
        elif arg in GLOBAL_OPTIONS or arg.startswith(tuple(o + "=" for o in GLOBAL_OPTIONS)):
            return arg.split("=", 1)[0], command
    return None


class _Commands(TyperGroup):
    """Explains a global option put after the command instead of answering "no such option"."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        misplaced = misplaced_global_option(args)
        if misplaced is not None:
            option, command = misplaced
            errors.print(
                f"[bold red]error:[/] {option} is an option of partnermatch itself, not of '{command}':"
                f" put it before the command, as in `partnermatch {option} … {command} …`",
                soft_wrap=True,
            )
            raise typer.Exit(2)
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_Commands,
    no_args_is_help=True,
    add_completion=False,
    help="Partner matching and supplier-consortium forming for EEN-style profile exchanges.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")

DEMO_REQUESTS_SHOWN = 3
DEMO_MAP_CLUSTER = "Danish Aluminium Cluster"

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


@app.callback()
def main(
    ctx: typer.Context,
    database_url: str | None = typer.Option(
        None, "--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL; default sqlite:///partnermatch.db"
    ),
    output_dir: Path | None = typer.Option(None, "--output-dir", help="Where documents go (default ./out)"),
) -> None:
    from profiles.settings import Settings

    overrides: dict = {}
    if database_url:
        overrides["DATABASE_URL"] = database_url
    if output_dir:
        overrides["output_dir"] = output_dir
    ctx.obj = Settings(**overrides)


def run() -> None:
    """The `partnermatch` command: database failures end in one line saying what and what to do."""
    try:
        app()
    except Exception as exc:
        # SQLAlchemy is imported only once a command failed, not before every command
        from sqlalchemy.exc import OperationalError, ProgrammingError
        from sqlalchemy.exc import TimeoutError as PoolTimeout

        from profiles.db import database_problem

        if not isinstance(exc, OperationalError | ProgrammingError | PoolTimeout):
            raise
        url = _database_url_of(sys.argv)
        what, todo = database_problem(exc, url)
        errors.print(f"[bold red]error:[/] {what}; {todo}", soft_wrap=True)
        sys.exit(1)


def _database_url_of(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--database-url" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--database-url="):
            return arg.split("=", 1)[1]
    from profiles.settings import Settings

    return Settings().database_url


def _fail(exc: Exception) -> None:
    if isinstance(exc, ValidationFailed):
        from api.cli import render

        errors.print(f"[bold red]{exc.source}: {len(exc.errors)} error(s); nothing was stored[/]")
        errors.print(render.error_table(exc.errors))
    else:
        errors.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the schema to the newest migration."""
    from profiles.db import current_revision, make_engine, upgrade

    engine = make_engine(_settings(ctx).database_url)
    upgrade(engine)
    console.print(f"schema at revision {current_revision(engine)}")


@app.command("import")
def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="JSON or CSV files"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every approximate or unknown phrase"),
) -> None:
    """Import firms, profiles or bids. A file with any bad row stores nothing."""
    from api.actions import imports
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        for path in files:
            report = imports.import_path(operator(engine, settings), path)
            render.import_report(console, report, verbose)
    except PartnermatchError as exc:
        _fail(exc)


@app.command()
def match(
    ctx: typer.Context,
    top_k: int | None = typer.Option(
        None, help="Partner matches stored per profile (default: the active configuration's)"
    ),
    candidate_k: int | None = typer.Option(None, help="Text neighbours per profile in blocking"),
) -> None:
    """Score published profiles with the active matching configuration and store the best matches of each."""
    from api.actions import match_runs
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        with _StageProgress() as progress:
            summary = match_runs.match_all(
                operator(engine, settings), None, progress=progress, top_k=top_k, candidate_k=candidate_k
            )
        render.match_summary(console, summary)
    except PartnermatchError as exc:
        _fail(exc)


@app.command()
def matches(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Profile key, EEN reference or firm key"),
    limit: int = typer.Option(10, help="Rows per profile"),
) -> None:
    """Show stored matches of a profile or a firm, with explanations."""
    from api.actions import match_runs
    from api.actions.operator import open_database, operator
    from api.cli import render

    try:
        settings = _settings(ctx)
        engine = open_database(settings)
        subject, rows = match_runs.matches_for(operator(engine, settings), key)
        render.matches(console, subject, rows, limit)
    except PartnermatchError as exc:
        _fail(exc)


@app.command()
def propose(
    ctx: typer.Context,
    bid: str | None = typer.Argument(None, help="Bid key"),
    all_open: bool = typer.Option(False, "--all-open", help="Joint plan over all open bids"),
    alternatives: int = typer.Option(3, "--alternatives", "-k", min=1, max=50),
    solver: str = typer.Option("cbc", help="cbc or highs"),
    time_limit: float = typer.Option(30.0, help="Seconds per solve"),
    documents: bool = typer.Option(True, help="Write Markdown and HTML proposal documents"),
    pdf: bool = typer.Option(False, "--pdf", help="Write the documents as PDF too (for a single bid)"),
) -> None:
    """Form ranked alternative consortia for a bid, or one joint plan for all open bids."""
    settings = _settings(ctx)
    if bool(bid) == all_open:
        errors.print("[bold red]error:[/] give either a BID or --all-open")
        raise typer.Exit(2)
    if solver not in ("cbc", "highs"):
        errors.print(f"[bold red]error:[/] unknown solver '{solver}'; choose cbc or highs")
        raise typer.Exit(2)
    from api.actions import proposals
    from api.actions.operator import open_database, operator
    from api.cli import render
    from optimizer.config import OptimizerConfig

    try:
        engine = open_database(settings)
        config = OptimizerConfig(alternatives=alternatives, solver=solver, time_limit=time_limit)
        with console.status("solving…", spinner="dots"):
            if all_open:
                results = proposals.propose_all_open(operator(engine, settings), config, documents)
            else:
                results = [proposals.propose(operator(engine, settings), bid, config, documents, pdf)]  # type: ignore[arg-type]
        for b, outcome, paths in results:
            render.outcome(console, b, outcome, paths)
    except PartnermatchError as exc:
        _fail(exc)


@app.command()
def export(
    ctx: typer.Context,
    what: str = typer.Argument(..., help="firms, profiles, bids, matches or proposals"),
    format: str = typer.Option(
        "json", "--format", "-f", help="json, csv, or een (profiles in the network's web-service fields)"
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: standard output)"),
    include_contacts: bool = typer.Option(
        False, help="Include firms' contact details, VAT and registry numbers (operators only)"
    ),
) -> None:
    """Export stored records as JSON or CSV (firm contacts left out unless asked for), or profiles as EEN
    records."""
    from api.actions import exports
    from api.actions.operator import open_database, operator

    try:
        settings = _settings(ctx)
        engine = open_database(settings)
        if format == "een" and what != "profiles":
            raise PartnermatchError("the een format holds profiles only: export profiles --format een")
        as_operator = operator(engine, settings)
        records = (
            exports.network_records(as_operator, include_contacts)
            if format == "een"
            else exports.export_records(as_operator, what, include_contacts)
        )
        text = exports.format_records(records, what, format)
    except PartnermatchError as exc:
        _fail(exc)
        return
    if output:
        output.write_text(text, encoding="utf-8")
        errors.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


@app.command()
def duplicates(ctx: typer.Context) -> None:
    """List stored firms that are likely or plausibly one firm, best first, with the evidence (identity
    resolution with the settings' thresholds; pairs dismissed as different firms are left out)."""
    from api.actions import exchange
    from api.actions.operator import open_database, operator

    settings = _settings(ctx)
    found = exchange.duplicate_firms(operator(open_database(settings), settings))
    for d in found:
        console.print(f"- {d}")
    if not found:
        console.print("no likely duplicate firms")


@app.command()
def demo(
    ctx: typer.Context,
    solver: str = typer.Option("cbc", help="cbc or highs"),
    alternatives: int = typer.Option(3, "--alternatives", "-k", min=1, max=10),
) -> None:
    """Load the bundled demo data, score it, and propose consortia for every demo bid."""
    from api.actions import bidding, exchange, imports, match_runs, proposals
    from api.actions.cluster_map import cluster_map
    from api.actions.operator import open_database, operator
    from api.cli import render
    from optimizer.config import OptimizerConfig

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        console.rule("[bold]1. import the demo data")
        for path in imports.demo_files():
            report = imports.import_path(operator(engine, settings), path)
            render.import_report(console, report)
        console.rule("[bold]2. score all published profiles")
        with _StageProgress() as progress:
            summary = match_runs.match_all(operator(engine, settings), None, progress=progress)
        render.match_summary(console, summary)
        for key in exchange.published_request_keys(operator(engine, settings), DEMO_REQUESTS_SHOWN):
            subject, rows = match_runs.matches_for(operator(engine, settings), key)
            render.matches(console, subject, rows, limit=3)
        config = OptimizerConfig(alternatives=alternatives, solver=solver)
        console.rule("[bold]3. consortium proposals, bid by bid")
        for key in bidding.open_bid_keys(operator(engine, settings)):
            b, outcome, paths = proposals.propose(operator(engine, settings), key, config, pdf=True)
            render.outcome(console, b, outcome, paths)
        console.rule("[bold]4. joint plan across all open bids (firm availability respected)")
        joint = proposals.propose_all_open(operator(engine, settings), config, documents=False)
        render.joint(console, joint)
        console.rule(f"[bold]5. cluster map of the {DEMO_MAP_CLUSTER}: dependencies and opportunities")
        result = cluster_map(operator(engine, settings), DEMO_MAP_CLUSTER)
        render.cluster_map(console, result, per_section=3)
        console.print("written: " + ", ".join(str(p) for p in _write_map(settings, result, ["md", "html", "pdf"])))
    except PartnermatchError as exc:
        _fail(exc)


# accounts and the HTTP service ------------------------------------------------
user_app = typer.Typer(no_args_is_help=True, help="Accounts of the HTTP service.")
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Sign-in name"),
    role: str = typer.Option(..., "--role", help="firm, advisor or admin"),
    firm: str | None = typer.Option(None, "--firm", help="Firm key (firm users)"),
    cluster: str | None = typer.Option(None, "--cluster", help="Cluster name (advisors)"),
    email: str | None = typer.Option(None, "--email"),
    new_cluster: bool = typer.Option(
        False, "--new-cluster", help="Start a new cluster with this advisor (otherwise a firm or bid must name it)"
    ),
    password: str = typer.Option(
        ...,
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="PARTNERMATCH_PASSWORD",
        help="At least 12 characters, not a common password (prompted when left out)",
    ),
) -> None:
    """Create an account; the way to make the first admin."""
    from api.actions import accounts
    from api.actions.operator import open_database

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        row = accounts.bootstrap_user(engine, settings, username, password, role, firm, cluster, email, new_cluster)
    except (PartnermatchError, ValueError) as exc:
        _fail(exc if isinstance(exc, PartnermatchError) else PartnermatchError(f"role: {exc}"))
    console.print(f"created {row['role']} account '{row['username']}' (id {row['id']})")


@user_app.command("unlock")
def user_unlock(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Unlock an account locked after too many failed sign-ins."""
    from api.actions import accounts
    from api.actions.operator import open_database

    settings = _settings(ctx)
    try:
        accounts.bootstrap_unlock(open_database(settings), settings, username)
    except PartnermatchError as exc:
        _fail(exc)
    console.print(f"unlocked account '{username}'")


@user_app.command("api-key")
def user_api_key(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    label: str = typer.Option("", "--label", help="What the key is for"),
) -> None:
    """Create an API key for an account and print it (it is shown only once)."""
    from api.actions import accounts
    from api.actions.operator import open_database, operator

    settings = _settings(ctx)
    try:
        issued = accounts.issue_api_key(operator(open_database(settings), settings), username, label)
    except PartnermatchError as exc:
        _fail(exc)
        return
    console.print(issued["api_key"])


@app.command()
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Listen address (default 127.0.0.1)"),
    port: int | None = typer.Option(None, help="Port (default 8000)"),
    workers: int | None = typer.Option(None, help="Server processes (default 1; use 1 with SQLite)"),
    log_level: str = typer.Option("info", help="uvicorn log level"),
) -> None:
    """Run the HTTP service: the workspace pages at /, the API under /api/v1 (OpenAPI page at /api/v1/docs)."""
    import os

    import uvicorn

    from api.http.app import prepare

    settings = _settings(ctx)
    # Worker processes build their settings from the environment; hand the command line's choices on.
    os.environ["DATABASE_URL"] = settings.database_url
    os.environ["PARTNERMATCH_OUTPUT_DIR"] = str(settings.output_dir)
    if settings.today:
        os.environ["PARTNERMATCH_TODAY"] = settings.today.isoformat()
    try:
        orphans = prepare(settings)
    except PartnermatchError as exc:
        _fail(exc)
    if orphans:
        console.print(f"{orphans} job(s) left unfinished by the previous server were marked failed")
    uvicorn.run(
        "api.http.app:app_from_environment",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=log_level,
        access_log=False,
    )


# nightly runs ------------------------------------------------------------------
def _nightly_options(
    settings: Settings,
    full: bool,
    refit: bool,
    executor: str | None,
    scheduler: str | None,
    workers: int | None,
    mail: bool,
):
    from api.nightly.runner import NightlyOptions

    chosen = executor or settings.executor
    if chosen not in ("local", "dask"):
        _fail(PartnermatchError(f"--executor: '{chosen}' is not one of local, dask"))
    if scheduler and chosen != "dask":
        chosen = "dask"  # naming a scheduler means running on it
    return NightlyOptions(
        full=full,
        refit=refit,
        executor=chosen,
        scheduler=scheduler or settings.dask_scheduler,
        workers=workers or settings.dask_workers,
        mail=mail,
    )


def _run_nightly_once(settings: Settings, options, log_format: str, log_file: Path | None) -> int:
    from api.actions.operator import open_database
    from api.nightly.logs import configure
    from api.nightly.runner import run_nightly

    log = configure(log_format, log_file=log_file)
    try:
        engine = open_database(settings)
    except PartnermatchError as exc:
        log.error("run.failed", stage="open database", error=str(exc))
        errors.print(f"[bold red]error:[/] {exc}")
        return 1
    with _StageProgress() as progress:
        result = run_nightly(engine, settings, options, log, progress)
    style = {0: "green", 3: "yellow", 4: "yellow"}.get(result.exit_code, "red")
    (console if result.exit_code == 0 else errors).print(f"[{style}]{result.message}[/]")
    return result.exit_code


class _StageProgress:
    """Rich bars per stage on a terminal; nothing otherwise (the structured log says it all)."""

    def __init__(self) -> None:
        self.bar = _progress()
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _StageProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total or None)
        self.bar.update(self.tasks[stage], completed=done, total=total or None)


@app.command()
def nightly(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help="Re-score every profile, not only the changed ones"),
    refit: bool = typer.Option(False, "--refit", help="Refit the text model whatever the drift"),
    executor: str | None = typer.Option(None, "--executor", help="local (default) or dask"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786"),
    workers: int | None = typer.Option(None, "--workers", help="Workers of a local Dask cluster (default 2)"),
    mail: bool = typer.Option(True, "--mail/--no-mail", help="Send the outbox at the end"),
    log_format: str = typer.Option("auto", "--log-format", help="auto, json or text"),
    log_file: Path | None = typer.Option(None, "--log-file", help="Also append JSON logs here"),
) -> None:
    """Expire, re-score what changed, refresh proposals, queue and send digests. Exit codes:
    0 done, 1 failed, 3 another run is in progress, 4 done but some messages were not delivered."""
    settings = _settings(ctx)
    options = _nightly_options(settings, full, refit, executor, scheduler, workers, mail)
    raise typer.Exit(_run_nightly_once(settings, options, log_format, log_file))


@app.command()
def schedule(
    ctx: typer.Context,
    at: str | None = typer.Option(None, "--at", help="Time of day HH:MM[:SS] (default from settings, 02:30)"),
    timezone: str | None = typer.Option(None, "--timezone", help="Time zone (default Europe/Copenhagen)"),
    max_runs: int | None = typer.Option(None, "--max-runs", help="Stop after this many runs"),
    executor: str | None = typer.Option(None, "--executor", help="local (default) or dask"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address"),
    mail: bool = typer.Option(True, "--mail/--no-mail"),
    log_format: str = typer.Option("auto", "--log-format", help="auto, json or text"),
    log_file: Path | None = typer.Option(None, "--log-file"),
) -> None:
    """Run the nightly job every day at a set time, in this process (for hosts without cron)."""
    import re

    from api.cli.schedule import run_daily, trigger_for

    settings = _settings(ctx)
    at, timezone = at or settings.nightly_at, timezone or settings.timezone
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?", at):
        _fail(PartnermatchError(f"--at: '{at}' is not a time of day HH:MM or HH:MM:SS"))
    try:
        trigger_for(at, timezone)
    except (ValueError, LookupError):
        _fail(PartnermatchError(f"--timezone: '{timezone}' is not a known time zone (e.g. Europe/Copenhagen)"))
    options = _nightly_options(settings, False, False, executor, scheduler, None, mail)

    def announce(when) -> None:
        console.print(f"next nightly run: {when:%Y-%m-%d %H:%M:%S %Z}" if when else "no further runs")

    try:
        code = run_daily(
            lambda: _run_nightly_once(settings, options, log_format, log_file), at, timezone, max_runs, announce
        )
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def _write_map(settings: Settings, result: dict, formats: list[str]) -> list[Path]:
    """The map's picture and report files in <output dir>/map, named after the cluster."""
    from api.actions.cluster_map import report

    directory = settings.output_dir / "map"
    directory.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9]+", "-", result["title"].lower()).strip("-") or "cluster"
    (directory / f"{stem}.svg").write_text(result["picture"], encoding="utf-8")
    written = [directory / f"{stem}.svg"]
    for fmt in dict.fromkeys(formats):
        content, _ = report(result, fmt, settings.now().strftime("%Y-%m-%d %H:%M"))
        path = directory / f"{stem}.{fmt}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


@app.command("map")
def map_command(
    ctx: typer.Context,
    cluster: str | None = typer.Option(None, "--cluster", help="The cluster to map (its firms)"),
    firms: list[str] = typer.Option([], "--firm", help="Map these firms instead (key or alias; repeat)"),
    formats: list[str] = typer.Option(
        ["md", "html", "pdf"], "--format", help="Report formats to write: md, html, pdf (repeat)"
    ),
) -> None:
    """Map suppliers, customers, dependencies, strengths and opportunities of a cluster or of chosen firms."""
    from api.actions.cluster_map import cluster_map
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    unknown = sorted(set(formats) - {"md", "html", "pdf"})
    if unknown or (cluster is None and not firms):
        errors.print(
            "[bold red]error:[/] "
            + (
                f"unknown format(s) {', '.join(unknown)}; use md, html or pdf"
                if unknown
                else "give --cluster NAME or one or more --firm KEY"
            )
        )
        raise typer.Exit(2)
    try:
        engine = open_database(settings)
        with console.status("mapping…", spinner="dots"):
            result = cluster_map(operator(engine, settings), cluster, firms)
        render.cluster_map(console, result)
        written = _write_map(settings, result, formats)
        console.print("written: " + ", ".join(str(p) for p in written))
    except PartnermatchError as exc:
        _fail(exc)


@app.command("runs")
def runs_(ctx: typer.Context, limit: int = typer.Option(10, help="How many of the newest runs")) -> None:
    """Recent matching runs: kind, status, stage reached, counts and errors."""
    from api.actions import match_runs
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    render.runs(console, match_runs.recent_runs(operator(open_database(settings), settings), limit))


# the network's web service -----------------------------------------------------
een_app = typer.Typer(no_args_is_help=True, help="Profiles from the network's partner web service (EEN).")
app.add_typer(een_app, name="een")


@een_app.command("sync")
def een_sync(
    ctx: typer.Context,
    url: str = typer.Option(..., "--url", help="The web service's address; profiles are read from URL/profiles"),
    api_key_env: str = typer.Option(
        ..., "--api-key-env", help="Name of the environment variable that holds the API key (never the key)"
    ),
    since: datetime | None = typer.Option(
        None, "--since", help="Read records modified at or after this date (default: where the last sync ended)"
    ),
    page_size: int = typer.Option(200, "--page-size", min=1, max=200, help="Records per page (at most 200)"),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for a page before trying again"),
) -> None:
    """Bring profiles up to date from a network source, page by page; a killed sync resumes where it stopped.

    Exit codes: 0 done (records the source got wrong are listed), 1 failed, 3 another sync of the source runs."""
    import os

    from api.actions import een_sync as syncing
    from api.actions.operator import open_database, operator
    from profiles.errors import Conflict

    key = os.environ.get(api_key_env)
    if not key:
        _fail(PartnermatchError(f"the environment variable {api_key_env} holding the API key is not set"))
        return
    settings = _settings(ctx)
    try:
        with _progress() as bar:
            task = bar.add_task("records", total=None)
            result = syncing.sync(
                operator(open_database(settings), settings),
                url,
                key,
                since,
                page_size=page_size,
                timeout=timeout,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except Conflict as exc:
        errors.print(f"[bold yellow]{exc}[/]")
        raise typer.Exit(3) from None
    except PartnermatchError as exc:
        _fail(exc)
        return
    stats = result.stats
    console.print(
        f"sync run {result.run_id} of {result.source}: {result.status}"
        + (f" (attempt {result.attempts})" if result.attempts > 1 else "")
        + f"; {stats.get('pages', 0)} page(s), {stats.get('records', 0)} record(s): "
        + f"{stats.get('created', 0)} new, {stats.get('updated', 0)} updated, {stats.get('unchanged', 0)} unchanged, "
        + f"{stats.get('rejected', 0)} rejected; {stats.get('linked', 0)} firm(s) linked, "
        + f"{stats.get('queued', 0)} queued for review; {stats.get('retries', 0)} retries"
    )
    for problem in result.errors:
        if "reference" in problem:
            errors.print(f"  {problem['reference']}: {problem['field']}: {problem['reason']}")


@een_app.command("runs")
def een_runs(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", help="Only this source's runs"),
    limit: int = typer.Option(10, help="How many of the newest runs"),
) -> None:
    """Recent syncs: source, status, attempts, where each got to, and what it counted."""
    from rich.table import Table

    from api.actions import een_sync as syncing
    from api.actions.operator import open_database, operator

    settings = _settings(ctx)
    table = Table("run", "source", "status", "started", "attempts", "read up to", "counts")
    for run in syncing.recent_runs(operator(open_database(settings), settings), url, limit):
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run["stats"].items()))
        table.add_row(
            str(run["id"]),
            run["source"],
            run["status"],
            run["started_at"][:19],
            str(run["attempts"]),
            str((run["checkpoint"].get("last") or ["–"])[0]),
            counts,
        )
    console.print(table)


# partnering achievements and outcomes -------------------------------------------
achievement_app = typer.Typer(no_args_is_help=True, help="Partnering achievements: agreements firms signed.")
app.add_typer(achievement_app, name="achievements")


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(PartnermatchError(f"{option}: '{value}' is not a date YYYY-MM-DD"))
        raise  # pragma: no cover - _fail exits


@achievement_app.command("add")
def achievements_add(
    ctx: typer.Context,
    firm: str = typer.Argument(..., help="The firm that signed (key or alias)"),
    agreement_type: str = typer.Option(
        ..., "--type", help="Agreement type, e.g. 'joint venture', 'supplier agreement', 'research cooperation'"
    ),
    signed_on: str = typer.Option(..., "--signed-on", help="The day it was signed, YYYY-MM-DD"),
    partner: str | None = typer.Option(None, "--partner", help="A firm of the exchange (key or alias)"),
    partner_name: str | None = typer.Option(None, "--partner-name", help="An outside partner"),
    interest: int | None = typer.Option(
        None, "--interest", help="The accepted expression of interest it came from (id)"
    ),
    proposal: int | None = typer.Option(None, "--proposal", help="The proposal it came from (id)"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Record a partnership agreement a firm signed. Any bad field stores nothing."""
    from api.actions import achievements
    from api.actions.operator import open_database, operator

    settings = _settings(ctx)
    raw = {
        "firm": firm,
        "agreement_type": agreement_type,
        "signed_on": signed_on,
        "partner": partner,
        "partner_name": partner_name,
        "interest_id": interest,
        "proposal_id": proposal,
        "note": note,
    }
    try:
        engine = open_database(settings)
        view = achievements.add(operator(engine, settings), {k: v for k, v in raw.items() if v not in (None, "")})
    except PartnermatchError as exc:
        _fail(exc)
        return
    partner_shown = view["partner"].get("name") or f"firm {view['partner']['alias']}"
    console.print(
        f"recorded achievement {view['id']}: {view['firm']['name']} signed a {view['agreement_type']} "
        f"with {partner_shown} on {view['signed_on']}"
    )


@achievement_app.command("list")
def achievements_list(
    ctx: typer.Context,
    cluster: str | None = typer.Option(None, "--cluster", help="Only this cluster's"),
    firm: str | None = typer.Option(None, "--firm", help="Only this firm's (key or alias)"),
    limit: int = typer.Option(200, "--limit", min=1, max=10_000),
) -> None:
    """Recorded achievements, newest signature first."""
    from api.actions import achievements
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        items, total = achievements.list_for(operator(engine, settings), cluster, firm, 0, limit)
    except PartnermatchError as exc:
        _fail(exc)
        return
    render.achievements(console, items, total)


@achievement_app.command("delete")
def achievements_delete(ctx: typer.Context, achievement_id: int = typer.Argument(..., min=1)) -> None:
    """Remove a recorded achievement (audited)."""
    from api.actions import achievements
    from api.actions.operator import open_database, operator

    settings = _settings(ctx)
    try:
        achievements.delete(operator(open_database(settings), settings), achievement_id)
    except PartnermatchError as exc:
        _fail(exc)
    console.print(f"deleted achievement {achievement_id}")


@app.command("outcomes")
def outcomes_command(
    ctx: typer.Context,
    cluster: str | None = typer.Option(None, "--cluster", help="One cluster (default: every one)"),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD (default: from the start)"),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD (default: now)"),
) -> None:
    """Partnering outcomes per cluster: interests and their answers, proposals, agreements by type."""
    from api.actions import outcomes
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    first, last = _day(since, "--since"), _day(until, "--until")
    try:
        result = outcomes.report(operator(open_database(settings), settings), cluster, first, last)
    except PartnermatchError as exc:
        _fail(exc)
        return
    render.partnering_outcomes(console, result)


# matching configuration: tuned from outcomes, visible with its provenance ----------------------------
@app.command()
def tune(
    ctx: typer.Context,
    held_out: float = typer.Option(0.3, min=0.1, max=0.9, help="Newest share of the lists to check on"),
    min_lists: int = typer.Option(20, min=2, help="Lists with an accepted interest needed to learn"),
    yes: bool = typer.Option(False, "--yes", help="Store a winning configuration without asking"),
) -> None:
    """Learn the component weights from recorded outcomes; store them only if they win on newer lists."""
    from api.actions import tuning
    from api.actions.operator import open_database
    from api.cli import render

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        report = tuning.prepare(engine, held_out, min_lists)
        render.tune_report(console, report)
        if not report.wins:
            console.print(
                "not stored: "
                + (report.reason or "the learned weights do not rank the held-out lists' accepted profiles better")
            )
            return
        if not yes and not typer.confirm("store the learned weights as the active matching configuration?"):
            console.print("not stored")
            return
        config_id = tuning.store(engine, settings, report)
        console.print(f"stored as matching configuration #{config_id} (active); the next match or nightly run uses it")
    except PartnermatchError as exc:
        _fail(exc)


@app.command("config")
def config_command(
    ctx: typer.Context, activate: int | None = typer.Option(None, help="Make stored configuration ID active again")
) -> None:
    """The active matching configuration, where it came from, and the stored ones."""
    from api.actions import tuning
    from api.actions.operator import open_database, operator
    from api.cli import render

    settings = _settings(ctx)
    try:
        engine = open_database(settings)
        if activate is not None:
            try:
                tuning.activate(engine, settings, activate)
            except KeyError:
                _fail(PartnermatchError(f"--activate: no stored matching configuration #{activate}"))
        render.matching_config(console, tuning.active_view(operator(engine, settings)))
    except PartnermatchError as exc:
        _fail(exc)
