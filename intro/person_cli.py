"""`intro person export|forget|allow ADDRESS`: what is held about a person, erasing it, and lifting that."""

from __future__ import annotations

import json

import click

from intro import privacy, schema, suppression
from intro.addresses import AddressError, normalize_address
from intro.cli import setup
from intro.db import transaction


@click.group()
def person() -> None:
    """One person's data: export it, or erase it (GDPR articles 15 and 17)."""


def _address(raw: str) -> str:
    try:
        return normalize_address(raw)
    except AddressError as e:
        raise click.BadParameter(str(e)) from None


@person.command()
@click.argument("address")
@click.pass_context
def export(ctx: click.Context, address: str) -> None:
    """Print, as one JSON object, everything held about ADDRESS."""
    _, engine = setup(ctx)
    schema.ensure_current(engine)
    with transaction(engine) as session:
        data = privacy.export(session, _address(address))
    if data is None:
        raise click.ClickException(f"nothing is held about {address}")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@person.command()
@click.argument("address")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def forget(ctx: click.Context, address: str, yes: bool) -> None:
    """Erase ADDRESS and every other address of its person everywhere (name, addresses,
    mail naming them, their comments), keeping only anonymous counts. Cannot be undone."""
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    email = _address(address)
    if not yes:
        click.confirm(f"Erase everything held about {email}? This cannot be undone", abort=True)
    with transaction(engine, write=True) as session:
        emails = privacy.addresses_of(session, email)
        found = privacy.forget(session, email)
    if not found:
        raise click.ClickException(f"nothing is held about {address}")
    privacy.scrub(engine, emails, config.relay.outbox)
    click.echo(f"forgot {', '.join(emails)}: the addresses, the name, the mail that named them and their comments "
               "are erased; anonymous counts remain")


@person.command()
@click.argument("address")
@click.pass_context
def allow(ctx: click.Context, address: str) -> None:
    """Take ADDRESS off the list of the forgotten, at its owner's own request: mail
    naming it is recorded again, and it may be mailed."""
    _, engine = setup(ctx)
    schema.ensure_current(engine)
    email = _address(address)
    with transaction(engine, write=True) as session:
        lifted = suppression.lift(session, email)
    if not lifted:
        raise click.ClickException(f"{email} was not forgotten")
    click.echo(f"{email} may be recorded and mailed again")
