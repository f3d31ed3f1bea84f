"""The `intro` command line."""

from __future__ import annotations

import json
import logging
import signal
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine

from intro import config as intro_config
from intro import logs, memory, overview, questions, readiness, schema
from intro.backup import backup
from intro.components import Component, factories
from intro.config import Config
from intro.db import make_engine, transaction
from intro.errors import UserError
from intro.stats import counts

log = logging.getLogger("intro")
COMMANDS = "intro.commands"  # entry points: the commands inbound/, mailer/ and web/ add


class _Group(click.Group):
    """Adds the commands other packages register (loaded only when used), and shows a
    UserError (bad setting, old schema) as one readable line, not a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {e.name for e in entry_points(group=COMMANDS)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is None:
            for entry in entry_points(group=COMMANDS, name=name):
                found = entry.load()
        return found

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group)
@click.option("--config", "config_path", metavar="PATH", type=click.Path(dir_okay=False),
              help="TOML configuration file (default: $INTRO_CONFIG, else built-in defaults).")
@click.version_option(package_name="intro-service")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """intro: log introductions made by email, follow them up, and show the tallies.

    Settings come from built-in defaults, then the --config file, then INTRO_*
    environment variables; see config.example.toml.
    """
    ctx.obj = config_path


def setup(ctx: click.Context) -> tuple[Config, Engine]:
    """Load the configuration once, start logging, and open the database."""
    config = intro_config.load(ctx.find_root().obj)
    logs.configure(config.log_level, config.privacy.log_addresses)
    memory.return_large_blocks()  # before any large message: the setting is inherited by the processor
    return config, make_engine(config.database.url)


@cli.command()
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Run the SMTP server, the message processor and the web site in one process, until Ctrl-C or SIGTERM."""
    run_components(ctx, None)


def warn_about(config: Config) -> None:
    """Say, at the start of what sends mail, the settings that would make it hurt."""
    for warning in intro_config.warnings(config):
        log.warning("%s", warning)


def run_components(ctx: click.Context, names: list[str] | None) -> None:
    """Start the named components (all when None), wait for Ctrl-C or SIGTERM, stop them."""
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    warn_about(config)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    started: list[Component] = []
    try:
        for name, factory in factories().items():
            if names is None or name in names:
                component = factory(config, engine)
                component.start()
                started.append(component)
        log.info("intro is running (%s); press Ctrl-C to stop", ", ".join(c.name for c in started))
        while not stop.wait(0.5):
            pass
        log.info("stopping")
    finally:
        for component in reversed(started):
            component.stop()
        engine.dispose()


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Alembic revision to migrate to.")
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the database schema (safe to run again; it does nothing when current)."""
    _, engine = setup(ctx)
    schema.upgrade(engine, revision)
    click.echo(f"database at revision {schema.current_revision(engine)}")


@db.command()
@click.pass_context
def current(ctx: click.Context) -> None:
    """Show the database's schema revision and the one this version needs."""
    _, engine = setup(ctx)
    click.echo(f"database: {schema.current_revision(engine) or 'empty'}; code: {schema.head_revision()}")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_command(ctx: click.Context, path: Path) -> None:
    """Copy a live SQLite database to PATH, consistently, while the service runs."""
    _, engine = setup(ctx)
    size = backup(engine, path)
    click.echo(f"backed up to {path} ({size:,} bytes)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Count stored messages, introductions, people, follow-ups sent and answers."""
    _, engine = setup(ctx)
    schema.ensure_current(engine)
    with transaction(engine) as session:
        figures = counts(session).as_dict()
    if as_json:
        click.echo(json.dumps(figures))
    else:
        for name, value in figures.items():
            click.echo(f"{name.replace('_', ' '):<22}{value:>10}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the only format for now).")
@click.option("--campaign", type=int, metavar="YEAR", help="Only introductions made in this year.")
@click.pass_context
def intros(ctx: click.Context, as_json: bool, campaign: int | None) -> None:
    """List the recorded introductions, oldest first."""
    _, engine = setup(ctx)
    schema.ensure_current(engine)
    with transaction(engine) as session:
        for row in overview.listing(session, campaign):
            click.echo(json.dumps(row, ensure_ascii=False))


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON object: {"ok": ..., "checks": [{"name", "ok", "detail", "fix"}, ...]}.')
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Say whether this installation is ready for real mail: base_url, relay, the domain's
    MX, SPF, DKIM and DMARC records, the database and the listener. Exit status 1 if any fails."""
    config, engine = setup(ctx)
    try:
        results = readiness.run_all(config, engine)
    finally:
        engine.dispose()
    ok = all(r.ok for r in results)
    if as_json:
        click.echo(json.dumps({"ok": ok, "checks": [r.as_dict() for r in results]}, ensure_ascii=False))
    else:
        width = max(len(n) for n in readiness.NAMES)
        for r in results:
            click.echo(f"{'ok' if r.ok else 'FAIL':<5} {r.name:<{width}}  {r.detail}")
            if r.fix:
                click.echo(f"{'':<5} {'':<{width}}  fix: {r.fix}")
        click.echo("ready for real mail" if ok else f"not ready: {sum(not r.ok for r in results)} of "
                   f"{len(results)} checks failed")
    ctx.exit(0 if ok else 1)


@cli.group()
def corrections() -> None:
    """Recognition, corrected by the people who wrote the mail ("Log it", "It was not")."""


@corrections.command("export")
@click.pass_context
def export_corrections(ctx: click.Context) -> None:
    """Every correction, one JSON object per line: message_id, predicted, corrected,
    introducer, parties, at; to measure recognition on this deployment's own mail."""
    _, engine = setup(ctx)
    schema.ensure_current(engine)
    with transaction(engine) as session:
        for row in questions.corrections(session):
            click.echo(json.dumps(row, ensure_ascii=False))


def main() -> None:
    cli(prog_name="intro")


if __name__ == "__main__":
    main()
