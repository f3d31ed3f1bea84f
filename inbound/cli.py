"""Commands of the inbound side: `intro smtp`, `intro inspect`, `intro import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from inbound import mailboxes
from inbound.importer import import_messages
from inbound.understanding.classify import classify
from inbound.understanding.parse import parse
from intro import config as intro_config
from intro import schema
from intro.addresses import AddressError, normalize_service_address
from intro.cli import run_components, setup
from intro.meaning import AnswerValue, Meaning


@click.command()
@click.pass_context
def smtp(ctx: click.Context) -> None:
    """Run only the SMTP server and the message processor (an inbound node), until Ctrl-C."""
    run_components(ctx, ["smtp", "processor"])


@click.command()
@click.option("--service", "services", multiple=True, metavar="ADDR",
              help="The service address (repeatable). Default: the configured one(s).")
@click.option("--rcpt", "rcpts", multiple=True, metavar="ADDR",
              help="An envelope recipient (repeatable). Default: the service address.")
@click.option("--explain", is_flag=True, help='Add "score" and "evidence": why each message was read so.')
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def inspect(ctx: click.Context, services: tuple[str, ...], rcpts: tuple[str, ...], explain: bool,
            files: tuple[str, ...]) -> None:
    """Classify message files without touching the database; one JSON object per file and line."""
    if services:
        try:
            service = tuple(normalize_service_address(s) for s in services)
        except AddressError as e:
            raise click.BadParameter(str(e), param_hint="--service") from None
    else:
        service = intro_config.load(ctx.find_root().obj).service.address
    envelope = rcpts or service[:1]
    for file in files:
        found = classify(parse(Path(file).read_bytes()), envelope, service)
        shown = {"file": file, **labelled(found)}
        if explain:
            shown.update(explained(found))
        click.echo(json.dumps(shown, ensure_ascii=False))


# An answer in the words of the labelled samples (../shared/samples/README.md), which
# this command's output is compared with.
_LABELS = {AnswerValue.HELPED: "yes", AnswerValue.NO: "no", AnswerValue.NOT_YET: "not_yet"}


def labelled(found: Meaning) -> dict[str, Any]:
    """What `intro inspect` prints of a message's meaning: kind, introducer, parties, answer."""
    introduction = found.kind == "introduction"
    return {
        "kind": found.kind,
        "introducer": found.introducer.email if introduction and found.introducer else None,
        "parties": sorted(p.email for p in found.parties) if introduction else [],
        "answer": answer_label(found.answer),
    }


def explained(found: Meaning) -> dict[str, Any]:
    """Why: the recognition score (for a new message to two or more people) and the evidence."""
    evidence = list(found.evidence) or [found.reason]
    if found.evidence and found.reason not in evidence:
        evidence.insert(0, found.reason)
    if found.kind == "survey_reply":
        evidence.append(f"answer: {found.answer or 'unclear'}")
    if found.failed_recipients:
        evidence.append(f"failed: {', '.join(found.failed_recipients)}")
    return {"score": found.score, "evidence": evidence}


def answer_label(answer: AnswerValue | None) -> str | None:
    return _LABELS[answer] if answer else None


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import messages from mbox files, Maildirs, or .eml files and folders (e.g. an exported
    Sent folder), stored and de-duplicated exactly as if they had arrived over SMTP."""
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    sources = [mailboxes.open_path(p) for p in paths]
    total = sum(len(s) for s in sources)
    bar = click.progressbar(length=total, label="importing", file=click.get_text_stream("stderr"), show_pos=True)  # type: ignore[operator]  # mypy misreads click.progressbar's overloads
    with bar:
        summary = import_messages(engine, config, sources, progress=bar.update)
    click.echo(summary.describe())
