"""`intro followups run`: one pass of the follow-up scheduler, for cron and for tests."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from intro import schema
from intro.cli import setup
from intro.secret import secret_key
from intro.timeutil import utcnow
from mailer.outbox import run_once
from mailer.render import Renderer


@click.group()
def followups() -> None:
    """Follow-up mail to the people introduced."""


def _when(value: str | None) -> datetime:
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO time such as 2026-03-17T09:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@followups.command()
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Pretend it is this time (UTC unless it says otherwise), e.g. 2026-03-17T09:00:00Z.")
@click.pass_context
def run(ctx: click.Context, now_text: str | None) -> None:
    """Send every follow-up and reminder that is due, once, and exit."""
    now = _when(now_text)
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    summary = run_once(config, engine, secret_key(engine, config.secret_key), now,
                       Renderer(config.mail.templates or None))
    click.echo(summary.describe())
