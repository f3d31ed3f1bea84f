"""What an operator's monitoring reads (`GET /metrics`), counted from the database when asked.

The SMTP server, the processor, the scheduler and the web site may run as separate
processes on separate nodes sharing one database: a count kept in any one process would
be that process's alone. So each figure is one aggregate query over an index (the
messages' ``(status, kind)``, each mail table's ``status``): a fraction of a second at
a million introductions (docs/DEPLOYMENT.md, "Watching it"). No figure names a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intro.followups import FIRST
from intro.links import LINK
from intro.meaning import AnswerValue
from intro.messages import backlog
from intro.models import CampaignCount, FollowUp, InboundMessage, MailStatus, MessageStatus
from intro.notices import NOTICE
from intro.outbox import Stage
from intro.questions import QUESTION

# Every kind of mail, by the name its log lines give it (mailer/outbox.py); a reminder is
# a second mail about a follow-up's row, which keeps the first mail's status.
MAILS: tuple[Stage, ...] = (FIRST, LINK, NOTICE, QUESTION)


def messages(session: Session) -> dict[str, int]:
    """Stored messages (duplicates are not stored) by what they were read as: each kind
    (intro.meaning.KINDS), "failed", and "new" for those not processed yet."""
    found: dict[str, int] = {}
    for status, kind, n in session.execute(
            select(InboundMessage.status, InboundMessage.kind, func.count())
            .group_by(InboundMessage.status, InboundMessage.kind)):
        name = kind if status == MessageStatus.PROCESSED and kind else str(status)
        found[name] = found.get(name, 0) + n
    return found


def processing_lag(session: Session, now: datetime) -> float:
    """Seconds since the oldest message not yet processed arrived; 0 when none waits."""
    _, oldest = backlog(session)
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def mails(session: Session) -> dict[tuple[str, str], int]:
    """Mails of every kind by status: {(kind, status): n}, each of MAILS with every status."""
    found = {(stage.name, str(status)): 0 for stage in MAILS for status in MailStatus}
    for stage in MAILS:
        table = stage.table
        for status, n in session.execute(select(table.status, func.count()).group_by(table.status)):
            found[stage.name, str(status)] = n
    return found


def followups_due(session: Session, now: datetime) -> int:
    """Follow-ups whose time has come and that have not gone out yet (waiting for the next
    pass, a retry, or room in someone's week)."""
    return session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.status == MailStatus.PENDING, FollowUp.due_at <= now)) or 0


def answers(session: Session) -> dict[str, int]:
    """The latest answer of each follow-up, by value, as the tallies count them (every
    campaign; introductions held are not counted)."""
    values = [str(value) for value in AnswerValue]
    found = dict.fromkeys(values, 0)
    for name, n in session.execute(select(CampaignCount.name, func.sum(CampaignCount.value))
                                   .where(CampaignCount.name.in_(values)).group_by(CampaignCount.name)):
        found[name] = int(n or 0)
    return found
