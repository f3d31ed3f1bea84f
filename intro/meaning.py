"""What a received message means: the words the understanding (inbound/understanding)
speaks and the domain acts on. Pure: no I/O, no database.

The understanding decides everything a message says on its own: its kind, who introduced
whom, what an answer says, what a person asks of the service. The domain (recording.py)
decides, with what is already stored, what to do about it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

from intro.addresses import Address

# The kinds of message the product knows (../shared/samples/README.md).
Kind = Literal["introduction", "reply", "survey_reply", "auto_reply", "bounce", "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)


class AnswerValue(enum.StrEnum):
    """Did the introduction help? One vocabulary from the reply reader to the database to the pages."""

    HELPED = "helped"
    NOT_YET = "not_yet"
    NO = "no"


# What a person can ask of the service by mail, in the subject of a message to it:
# joining a campaign, or seeing or erasing what is held about them.
CommandName = Literal["join", "export", "forget", "privacy"]


@dataclass(frozen=True)
class Command:
    name: CommandName
    year: int | None = None  # join: the campaign; None: that of the year the message was sent


# What the person asked first (intro+ask@) answers: yes, not now, or no (intro.consent).
Consent = Literal["yes", "not_now", "no"]


@dataclass(frozen=True)
class AskSaid:
    """What a message copying intro+ask@ says on its own: the people it was sent to (To
    and Cc, the service and the sender left out), those its text names, and, if it is an
    answer to an ask, what it answers (None: it does not say clearly)."""

    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    named: tuple[Address, ...]
    answer: Consent | None


@dataclass(frozen=True)
class Meaning:
    """What one message means, from its bytes and envelope alone."""

    kind: Kind
    reason: str  # the evidence, in a few words, for the record and for people debugging
    subject: str = ""
    date: datetime | None = None  # the Date header; None when missing or unreadable
    sender: Address | None = None  # the From
    introducer: Address | None = None  # introduction only
    # An introduction's people; for a message whose sender is asked (``ask``), those it may introduce.
    parties: tuple[Address, ...] = ()
    thread_ids: tuple[str, ...] = ()  # In-Reply-To and References
    # The tags of the service addresses it was sent to, by prefix (intro.addresses).
    tags: dict[str, str] = field(default_factory=dict)
    answer: AnswerValue | None = None  # survey_reply: did it help? None when it does not say clearly
    comment: str = ""  # survey_reply: the new text of the reply
    command: Command | None = None  # other: what the person asks of the service
    failed_recipients: tuple[str, ...] = ()  # bounce only
    permanent: bool | None = None  # bounce only: a hard failure (None: cannot tell)
    auth: str = ""  # introduction: "pass", "fail" or "none" (inbound.authentication); "": not checked
    auth_note: str = ""
    # A new message to two or more people: how strongly it introduces them (at 3 or more it
    # does), and the signals that made the score, each with its weight.
    score: float | None = None
    evidence: tuple[str, ...] = ()
    # A person's new message to two or more others, copying the service, not recognised as
    # an introduction: its sender should be asked whether it was one (no silent misses).
    ask: bool = False
    named: tuple[str, ...] = ()  # the addresses of ``parties`` its text names (ticked when asking)
    # Sent to intro+ask@: the introducer asks one person first, or someone answers such an ask.
    asks_first: AskSaid | None = None
    # introduction: the language it is written in, when it can be told (intro.languages).
    language: str | None = None
