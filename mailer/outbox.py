"""One pass of the outbox: for every kind of mail, claim what is due, render and compose
it, send it, settle it (the mechanism and its promise are intro.outbox's).

A kind of mail is a ``Writer``: the domain's kind (what is due, and what each mail shows)
and how its mail is written. Adding a kind of mail is adding one here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine

from intro.config import Config
from intro.consent import ASK, AskMails
from intro.deliveries import Notes
from intro.followups import FollowUps, plan_from
from intro.links import LINK, Links
from intro.notices import Notices
from intro.outbox import Claimed, Kind, Outcome, Result, claim, expire, settle, waiting
from intro.pace import PaceNotes
from intro.questions import Questions
from mailer import compose
from mailer.render import Renderer
from mailer.send import PermanentFailure, TemporaryFailure, Transport, UnknownOutcome, outgoing

log = logging.getLogger(__name__)

BATCH = 100  # claimed, sent, and settled together
CONNECTIONS = 4  # to the relay at once, each sending its share of a batch
Job = TypeVar("Job")


@dataclass(frozen=True)
class Writer(Generic[Job]):
    """One kind of mail: the domain's kind and how its mail is written."""

    kind: Kind[Job]
    # The mail for these jobs (one, or several ``together``), and the address it goes to.
    write: Callable[[list[Job]], tuple[Message, str | tuple[str, ...]]]
    # Jobs with the same key go out as one mail; None: one mail each.
    together: Callable[[Job], Hashable] | None = None


def writers(config: Config, secret: str, renderer: Renderer) -> list[Writer[Any]]:
    """Every kind of mail, in the order a pass sends them: links first (someone is waiting
    for them, at their inbox), then follow-ups, notes to introducers, questions to them,
    the weekly pace notes, the mails about asking someone first, and the notes to
    organizers about webhook endpoints that were disabled."""
    follow = config.followup
    return [
        Writer(Links(config.web.admins), lambda jobs: compose.link(jobs[0], renderer, config, secret)),
        Writer(FollowUps(plan_from(config)), lambda jobs: compose.followups(jobs, renderer, config, secret),
               together=lambda job: job.person_id),
        Writer(Notices(follow.answered_notes, follow.receipts),
               lambda jobs: compose.notice(jobs[0], renderer, config, secret)),
        Writer(Questions(), lambda jobs: compose.question(jobs[0], renderer, config, secret)),
        Writer(PaceNotes(config.campaign.pace_note), lambda jobs: compose.pace_note(jobs[0], renderer, config, secret)),
        Writer(AskMails(config.consent.nudge, config.consent.expires),
               lambda jobs: compose.asked(jobs[0], renderer, config, secret)),
        Writer(Notes(config.web.admins), lambda jobs: compose.webhook_note(jobs[0], renderer, config)),
    ]


@dataclass
class Summary:
    sent: int = 0  # follow-ups and reminders
    retried: int = 0
    failed: int = 0
    notes: int = 0  # receipts and answered notes to introducers
    links: int = 0  # sign-in, join and invitation links
    questions: int = 0  # "was it an introduction?"
    pace_notes: int = 0  # to participants behind pace
    asks: int = 0  # about asking someone first: notes, words to introducers, introductions
    results: dict[str, dict[Result, int]] = field(default_factory=dict)  # by kind, every outcome

    def add(self, kind: str, outcomes: Sequence[tuple[Claimed[Any], Outcome]]) -> None:
        counted = self.results.setdefault(kind, dict.fromkeys(Result, 0))
        for _, outcome in outcomes:
            counted[outcome.result] += 1
        followups = self.results.get("followups", {})
        self.sent, self.retried, self.failed = (followups.get(r, 0) for r in Result)
        self.notes = self.results.get("notices", {}).get(Result.SENT, 0)
        self.links = self.results.get("links", {}).get(Result.SENT, 0)
        self.questions = self.results.get("questions", {}).get(Result.SENT, 0)
        self.pace_notes = self.results.get("pace_notes", {}).get(Result.SENT, 0)
        self.asks = self.results.get("asks", {}).get(Result.SENT, 0)

    def describe(self) -> str:
        return (f"sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
                f"notes to introducers {self.notes}, links {self.links}, pace notes {self.pace_notes}, "
                f"mails about asks {self.asks}")


def run_once(config: Config, engine: Engine, secret: str, now: datetime, renderer: Renderer,
             connect: Callable[[], Transport] | None = None, only: tuple[str, ...] | None = None) -> Summary:
    """Send every mail due at ``now`` (of the kinds named in ``only``, else all), through
    ``connect`` (default: ``outgoing(config)``); return what happened."""
    connect = connect or outgoing(config)
    chosen = [w for w in writers(config, secret, renderer) if only is None or w.kind.name in only]
    expired = expire(engine, [stage for writer in chosen for stage in writer.kind.stages], now)
    if expired:
        log.warning("%s mails were claimed but never marked (a sender stopped); marked failed", expired)
    summary = Summary()
    for writer in chosen:
        if not drain(engine, writer.kind, now, partial(_send_all, writer, config=config, connect=connect), summary):
            break  # the relay is struggling: leave the rest for the next pass
    return summary


def drain(engine: Engine, kind: Kind[Job], now: datetime,
          send: Callable[[list[Claimed[Job]]], list[tuple[Claimed[Job], Outcome]]], summary: Summary) -> bool:
    """Claim, ``send`` and settle what ``kind`` has due, a batch at a time, until nothing
    is; False if a batch met a temporary failure (the rest waits for the next pass)."""
    while True:
        claimed, decided = claim(engine, kind, now, BATCH)
        if not decided:
            return True
        outcomes = send(claimed)
        settle(engine, outcomes, now)
        summary.add(kind.name, outcomes)
        if any(outcome.result == Result.RETRY for _, outcome in outcomes):
            return False


def links_waiting(engine: Engine, now: datetime) -> bool:
    """Whether a link waits to be mailed (the scheduler looks every few seconds)."""
    return waiting(engine, LINK, now)


def asks_waiting(engine: Engine, now: datetime) -> bool:
    """Whether a mail about an ask waits: an answer to tell, an introduction to send
    (someone just pressed a button; the scheduler looks every few seconds)."""
    return waiting(engine, ASK, now)


def send_links(config: Config, engine: Engine, secret: str, now: datetime, renderer: Renderer,
               connect: Callable[[], Transport] | None = None) -> int:
    """Mail the sign-in, join and invitation links waiting; return how many went out."""
    return run_once(config, engine, secret, now, renderer, connect, only=("links",)).links


def _send_all(writer: Writer[Job], claimed: list[Claimed[Job]], *, config: Config,
              connect: Callable[[], Transport]) -> list[tuple[Claimed[Job], Outcome]]:
    # A few connections at once: while one waits for the relay's reply, another renders
    # and composes (the wait, not the CPU, is most of a send). Jobs that go together stay
    # together: they are one mail.
    groups: dict[Hashable, list[Claimed[Job]]] = {}
    for item in claimed:
        groups.setdefault(writer.together(item.job) if writer.together else item.row_id, []).append(item)
    mails = list(groups.values())
    if not mails:
        return []
    shares = [mails[i::CONNECTIONS] for i in range(min(CONNECTIONS, len(mails)))]
    with ThreadPoolExecutor(len(shares), thread_name_prefix="send") as pool:
        done = pool.map(lambda share: _send_share(writer, share, config, connect), shares)
        return [outcome for share in done for outcome in share]


def _send_share(writer: Writer[Job], mails: list[list[Claimed[Job]]], config: Config,
                connect: Callable[[], Transport]) -> list[tuple[Claimed[Job], Outcome]]:
    with connect() as outbox:  # one connection for the whole share
        return [outcome for mail in mails for outcome in _send_one(writer, mail, config, outbox)]


def _send_one(writer: Writer[Job], mail: list[Claimed[Job]], config: Config,
              outbox: Transport) -> list[tuple[Claimed[Job], Outcome]]:
    """One mail: all its jobs share its fate. One log line says which: the kind of mail
    (its stage), the rows it settles, and the relay's reply or why it was not sent."""
    kind, ids = mail[0].stage.name, ",".join(str(item.row_id) for item in mail)
    try:
        message, recipient = writer.write([item.job for item in mail])
        reply = outbox.send(message, compose.envelope_sender(config, mail[0].job.tag), recipient)  # type: ignore[attr-defined]
    except TemporaryFailure as e:
        outcome = Outcome(Result.RETRY, str(e))
    except PermanentFailure as e:
        outcome = Outcome(Result.FAILED, f"refused: {e}")
    except UnknownOutcome as e:
        outcome = Outcome(Result.FAILED, f"may or may not have been delivered ({e}); not sent again")
    except Exception as e:  # a template or data problem: never let one mail stop the rest
        log.exception("%s mail %s could not be prepared", kind, ids)
        outcome = Outcome(Result.FAILED, f"{type(e).__name__}: {e}")
    else:
        log.info("sent kind=%s id=%s reply=%s", kind, ids, " ".join(reply.split()))
        return [(item, Outcome(Result.SENT)) for item in mail]
    log.warning("not sent kind=%s id=%s result=%s reason=%s", kind, ids, outcome.result,
                " ".join(outcome.error.split()))
    return [(item, outcome) for item in mail]
