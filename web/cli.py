"""`intro web`: only the web site (for a web node; or use gunicorn 'web:create_app()')."""

from __future__ import annotations

import click

from intro.cli import run_components


@click.command()
@click.pass_context
def web(ctx: click.Context) -> None:
    """Run only the web site on waitress, until Ctrl-C."""
    run_components(ctx, ["web"])
