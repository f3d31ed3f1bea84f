"""One pass of the follow-up scheduler: claim what is due, render, compose, send, settle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from intro import links, notices
from intro.config import Config, RelayConfig
from intro.followups import FAILED, RETRY, SENT, Job, Outcome, claim, expire_claims, plan_from, settle
from intro.links import LinkJob
from intro.notices import NoticeJob
from mailer.compose import (
    compose,
    compose_batch,
    compose_link,
    compose_notice,
    envelope_sender,
    link_mail_for,
    mail_for,
    notice_mail_for,
)
from mailer.render import Renderer, render_link, render_notice
from mailer.send import PermanentFailure, TemporaryFailure, Transport, UnknownOutcome, transport

log = logging.getLogger(__name__)

BATCH = 100  # claimed, sent, and settled together
CONNECTIONS = 4  # to the relay at once, each sending its share of a batch


@dataclass
class Summary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    notes: int = 0  # receipts and answered notes to introducers
    links: int = 0  # sign-in, join and invitation links

    def describe(self) -> str:
        return (f"sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
                f"notes to introducers {self.notes}, links {self.links}")


def run_once(config: Config, engine: Engine, secret: str, now: datetime, renderer: Renderer,
             connect: Callable[[RelayConfig], Transport] = transport) -> Summary:
    """Send every follow-up and reminder due at ``now``; return what happened."""
    plan = plan_from(config)
    expired = expire_claims(engine, now)
    if expired:
        log.warning("%s follow-ups were claimed but never marked (a sender stopped); marked failed", expired)
    summary = Summary()
    # Links first: someone is waiting for them, at their inbox.
    summary.links = send_links(config, engine, secret, now, renderer, connect)
    while jobs := claim(engine, now, plan, BATCH):
        # A few connections at once: while one waits for the relay's reply, another
        # renders and composes (the wait, not the CPU, is most of a send). A person's
        # follow-ups stay together: they go out as one mail.
        people: dict[int, list[Job]] = {}
        for job in jobs:
            people.setdefault(job.person_id, []).append(job)
        groups = list(people.values())
        shares = [groups[i::CONNECTIONS] for i in range(min(CONNECTIONS, len(groups)))]
        with ThreadPoolExecutor(len(shares), thread_name_prefix="send") as pool:
            done = pool.map(lambda share: _send_share(share, config, secret, renderer, connect), shares)
            outcomes = [outcome for share in done for outcome in share]
        settle(engine, outcomes, now)
        for outcome in outcomes:
            summary.sent += outcome.result == SENT
            summary.retried += outcome.result == RETRY
            summary.failed += outcome.result == FAILED
        if any(o.result == RETRY for o in outcomes):
            return summary  # the relay is struggling: leave the rest for the next pass
    follow = config.followup
    while notes := notices.claim(engine, now, follow.answered_notes, follow.receipts, BATCH):
        with connect(config.relay) as outbox:
            results = [(note, _send_notice(note, config, secret, renderer, outbox)) for note in notes]
        notices.settle(engine, results, now)
        summary.notes += sum(1 for _, error in results if not error)
    return summary


def send_links(config: Config, engine: Engine, secret: str, now: datetime, renderer: Renderer,
               connect: Callable[[RelayConfig], Transport] = transport) -> int:
    """Mail the sign-in, join and invitation links waiting; return how many went out."""
    sent = 0
    while jobs := links.claim(engine, now, config.web.admins):
        with connect(config.relay) as outbox:
            results = [(job, _send_link(job, config, secret, renderer, outbox)) for job in jobs]
        links.settle(engine, results, now)
        sent += sum(1 for _, error in results if not error)
    return sent


def _send_link(job: LinkJob, config: Config, secret: str, renderer: Renderer, outbox: Transport) -> str:
    """"" when sent, else why not (not retried: the person can ask again)."""
    return _send_once(f"link {job.link_id}", lambda: outbox.send(
        compose_link(job, render_link(renderer, link_mail_for(job, config, secret)), config),
        envelope_sender(config, job), job.email))


def _send_notice(note: NoticeJob, config: Config, secret: str, renderer: Renderer, outbox: Transport) -> str:
    """"" when sent, else why not. Notes are not retried: late, they are no longer news."""
    return _send_once(f"notice {note.notice_id}", lambda: outbox.send(
        compose_notice(note, render_notice(renderer, notice_mail_for(note, config, secret)), config, secret),
        envelope_sender(config, note), note.introducer_email))


def _send_once(what: str, send: Callable[[], None]) -> str:
    """Render, compose and send a mail that is never retried: "" when sent, else why not."""
    try:
        send()
    except (TemporaryFailure, PermanentFailure, UnknownOutcome) as e:
        return f"{type(e).__name__}: {e}"
    except Exception as e:  # a template or data problem: never let one mail stop the rest
        log.exception("%s could not be prepared", what)
        return f"{type(e).__name__}: {e}"
    return ""


def _send_share(groups: list[list[Job]], config: Config, secret: str, renderer: Renderer,
                connect: Callable[[RelayConfig], Transport]) -> list[Outcome]:
    with connect(config.relay) as outbox:  # one connection for the whole share
        return [outcome for group in groups for outcome in _send_one(group, config, secret, renderer, outbox)]


def _send_one(jobs: list[Job], config: Config, secret: str, renderer: Renderer, outbox: Transport) -> list[Outcome]:
    """One mail to one person: their follow-up, or several due together (all share its fate)."""
    first = jobs[0]
    try:
        if len(jobs) == 1:
            message = compose(first, renderer.followup(mail_for(first, config, secret)), config, secret)
        else:
            mails = [mail_for(job, config, secret) for job in jobs]
            message = compose_batch(jobs, renderer.followups(mails), config, secret)
        outbox.send(message, envelope_sender(config, first), first.recipient_email)
    except TemporaryFailure as e:
        return [Outcome(job, RETRY, str(e)) for job in jobs]
    except PermanentFailure as e:
        return [Outcome(job, FAILED, f"refused: {e}") for job in jobs]
    except UnknownOutcome as e:
        return [Outcome(job, FAILED, f"may or may not have been delivered ({e}); not sent again") for job in jobs]
    except Exception as e:  # a template or data problem: never let one follow-up stop the rest
        log.exception("follow-up %s could not be prepared", first.followup_id)
        return [Outcome(job, FAILED, f"{type(e).__name__}: {e}") for job in jobs]
    return [Outcome(job, SENT) for job in jobs]
