"""`intro followups run`: one pass of the follow-up scheduler, for cron and for tests;
`intro scheduler`: the scheduler alone, a node's part; `intro dkim keygen`: a key to sign
the mail with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from intro import config as intro_config
from intro import dkim_keys, schema, values
from intro.cli import run_components, setup, warn_about
from intro.secret import secret_key
from intro.timeutil import utcnow
from mailer.outbox import run_once
from mailer.render import Renderer
from mailer.webhooks import run_once as deliver_webhooks


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
    """Send every follow-up and reminder that is due, once, and the webhook deliveries
    due, and exit."""
    now = _when(now_text)
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    warn_about(config)
    summary = run_once(config, engine, secret_key(engine, config.secret_key), now,
                       Renderer(config.mail.templates or None))
    click.echo(summary.describe())
    tried = deliver_webhooks(config, engine, now).results.get("webhooks", {})
    if any(tried.values()):
        click.echo("webhook deliveries: " + ", ".join(f"{result} {n}" for result, n in tried.items()))


@click.command()
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Run the scheduler alone, until Ctrl-C or SIGTERM: a pass over the due mail each
    minute, links within seconds, raw text past [privacy] retention purged hourly."""
    run_components(ctx, ["scheduler"])


@click.group()
def dkim() -> None:
    """DKIM keys for signing the mail intro sends."""


@dkim.command()
@click.option("--selector", required=True, metavar="S",
              help="The name the key is published under: S._domainkey.<service domain>.")
@click.option("--out", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (default: dkim-S.pem here).")
@click.option("--type", "kind", type=click.Choice(dkim_keys.KINDS), default="rsa", show_default=True,
              help="rsa (2048 bits; every verifier knows it) or ed25519 (RFC 8463, as a second signature).")
@click.pass_context
def keygen(ctx: click.Context, selector: str, path: Path | None, kind: str) -> None:
    """Make a signing key: write it (mode 0600) and print the DNS record to publish."""
    config = intro_config.load(ctx.find_root().obj)
    try:
        values.dkim_selector(selector)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--selector") from None
    path = path or Path(f"dkim-{selector}.pem")
    pem, key = dkim_keys.generate(kind)
    try:
        dkim_keys.write_private(path, pem)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; a key is never overwritten (choose another --out)") from None
    domain = config.service.address[0].rpartition("@")[2]
    click.echo(dkim_keys.zone_line(selector, domain, key))
    prefix = "dkim_ed25519" if kind == "ed25519" else "dkim"
    click.echo(f"Private key written to {path}. Publish the record above in the DNS of {domain}, then set\n"
               f"  [mail] {prefix}_selector = \"{selector}\"\n  [mail] {prefix}_key = \"{path.resolve()}\"\n"
               "and run `intro check` to see that the record matches.", err=True)
