"""One pass of the follow-up scheduler: claim what is due, render, compose, send, settle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from core.config import Config, RelayConfig
from core.followups import FAILED, RETRY, SENT, Job, Outcome, Timing, claim, expire_claims, settle
from mailer.compose import compose, envelope_sender, mail_for
from mailer.render import Renderer
from mailer.send import PermanentFailure, TemporaryFailure, Transport, UnknownOutcome, transport

log = logging.getLogger(__name__)

BATCH = 100  # claimed, sent, and settled together
CONNECTIONS = 4  # to the relay at once, each sending its share of a batch


@dataclass
class Summary:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def describe(self) -> str:
        return f"sent {self.sent}, to retry {self.retried}, failed {self.failed}"


def run_once(config: Config, engine: Engine, secret: str, now: datetime, renderer: Renderer,
             connect: Callable[[RelayConfig], Transport] = transport) -> Summary:
    """Send every follow-up and reminder due at ``now``; return what happened."""
    timing = Timing(config.followup.delay, config.followup.reminder, config.followup.max_age)
    expired = expire_claims(engine, now)
    if expired:
        log.warning("%s follow-ups were claimed but never marked (a sender stopped); marked failed", expired)
    summary = Summary()
    while jobs := claim(engine, now, timing, BATCH):
        # A few connections at once: while one waits for the relay's reply, another
        # renders and composes (the wait, not the CPU, is most of a send).
        shares = [jobs[i::CONNECTIONS] for i in range(min(CONNECTIONS, len(jobs)))]
        with ThreadPoolExecutor(len(shares), thread_name_prefix="send") as pool:
            done = pool.map(lambda share: _send_share(share, config, secret, renderer, connect), shares)
            outcomes = [outcome for share in done for outcome in share]
        settle(engine, outcomes, now)
        for outcome in outcomes:
            summary.sent += outcome.result == SENT
            summary.retried += outcome.result == RETRY
            summary.failed += outcome.result == FAILED
        if any(o.result == RETRY for o in outcomes):
            break  # the relay is struggling: leave the rest for the next pass
    return summary


def _send_share(jobs: list[Job], config: Config, secret: str, renderer: Renderer,
                connect: Callable[[RelayConfig], Transport]) -> list[Outcome]:
    with connect(config.relay) as outbox:  # one connection for the whole share
        return [_send_one(job, config, secret, renderer, outbox) for job in jobs]


def _send_one(job: Job, config: Config, secret: str, renderer: Renderer, outbox: Transport) -> Outcome:
    try:
        message = compose(job, renderer.followup(mail_for(job, config, secret)), config, secret)
        outbox.send(message, envelope_sender(config, job), job.recipient_email)
    except TemporaryFailure as e:
        return Outcome(job, RETRY, str(e))
    except PermanentFailure as e:
        return Outcome(job, FAILED, f"refused: {e}")
    except UnknownOutcome as e:
        return Outcome(job, FAILED, f"may or may not have been delivered ({e}); not sent again")
    except Exception as e:  # a template or data problem: never let one follow-up stop the rest
        log.exception("follow-up %s could not be prepared", job.followup_id)
        return Outcome(job, FAILED, f"{type(e).__name__}: {e}")
    return Outcome(job, SENT)
