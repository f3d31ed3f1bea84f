"""The domain's tables, as SQLAlchemy 2.0 typed models.

The constraints are the honest part: one person per address, one stored message per
Message-ID, one introduction per message, one follow-up per introduced party.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from intro.meaning import AnswerValue
from intro.timeutil import UTCDateTime, utcnow

# Stable constraint names, so migrations can refer to them on every database
# (Alembic's batch mode on SQLite needs them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ADDRESS = 320  # RFC 3696 errata: 64 for the local part, @, 255 for the domain
HEADER = 998  # RFC 5322 2.1.1: the longest line a header value can fill


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def _enum(cls: type[enum.Enum], name: str | None = None) -> Enum:
    # Stored as text with a CHECK, not a native PostgreSQL type: simpler to migrate.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda e: [m.value for m in e])


class MessageStatus(enum.StrEnum):
    NEW = "new"  # stored and acknowledged, not yet processed
    PROCESSED = "processed"
    FAILED = "failed"  # processing raised; `error` says why


class MailStatus(enum.StrEnum):
    """Where one mail of the service stands (intro.outbox), whatever its kind."""

    PENDING = "pending"  # to be sent (or, once claimed, being sent)
    SENT = "sent"
    FAILED = "failed"  # `last_error` says why
    CANCELLED = "cancelled"  # not to be sent: `last_error` says why


class Outgoing:
    """What every kind of mail the service sends keeps, in its own table: its tag and its
    sending state. One mechanism (intro.outbox) claims, sends and settles them all."""

    # Random and unguessable: bounces come back to intro+b-<tag>@ (and, for a follow-up,
    # answers to intro+f-<tag>@), naming the mail they concern.
    tag: Mapped[str] = mapped_column(String(40), unique=True)
    # The CHECK constraint keeps the name the first migration gave it.
    status: Mapped[MailStatus] = mapped_column(_enum(MailStatus, "followupstatus"), default=MailStatus.PENDING)
    # Set when a sender takes it, before sending. A claim without a sent_at means the
    # sender died mid-way: it is not sent again (at most once).
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]  # not before this (a retry, or room in a weekly limit)
    last_error: Mapped[str | None] = mapped_column(Text)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(ADDRESS), unique=True)  # normalised, lowercase
    display_name: Mapped[str] = mapped_column(String(HEADER), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once and never cleared by the service: no mail goes to them again.
    opted_out_at: Mapped[datetime | None]
    bouncing_since: Mapped[datetime | None]
    # "Never record me" (intro.privacy.never_record): introductions naming this address
    # are recorded without it, and nothing is mailed to it.
    never_record_at: Mapped[datetime | None]
    # They chose never to be asked whether a message of theirs was an introduction.
    never_ask_at: Mapped[datetime | None]
    # The language they chose for mail and pages (intro.languages); NULL: not chosen.
    language: Mapped[str | None] = mapped_column(String(8))


class PersonAddress(Base):
    """An address of a person besides ``Person.email``, confirmed by a link mailed to it
    (intro.merging): mail from or naming it is theirs. Unique here, and never also a
    ``Person.email`` (intro.merging keeps that: a confirmed address merges its person)."""

    __tablename__ = "person_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(ADDRESS), unique=True)  # normalised, lowercase
    confirmed_at: Mapped[datetime]


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    goal: Mapped[int] = mapped_column(default=15)  # introductions per participant
    name: Mapped[str] = mapped_column(String(200), default="")


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    listed: Mapped[bool] = mapped_column(default=True)  # shown on the public page: their own choice
    # Set by an organizer: off the public page whatever the participant chose.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Their own choices about the weekly pace note (intro.pace): none before this time
    # ("pause for a month"), or none at all ("stop these").
    pace_paused_until: Mapped[datetime | None]
    pace_stopped: Mapped[bool] = mapped_column(default=False, server_default=false())

    person: Mapped[Person] = relationship()
    campaign: Mapped[Campaign] = relationship()


class InboundMessage(Base):
    """A received message exactly as it arrived, with its SMTP envelope."""

    __tablename__ = "inbound_messages"
    # (status, kind): messages counted by what they were read as (intro.metrics) from the
    # index alone, not from a million rows with their raw text.
    __table_args__ = (Index(None, "status", "id"), Index("ix_inbound_messages_status_kind", "status", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Without angle brackets. NULL when the message has none; NULLs never collide.
    message_id: Mapped[str | None] = mapped_column(String(HEADER), unique=True)
    mail_from: Mapped[str] = mapped_column(Text)  # "" is the null sender <>
    rcpt_to: Mapped[list[str]] = mapped_column(JSON)
    peer: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[MessageStatus] = mapped_column(_enum(MessageStatus), default=MessageStatus.NEW)
    kind: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)  # why it was classified so, in a few words
    # An answer by reply that could not be read with confidence: a person should look
    # (an organizer, on /admin/review), at what it said.
    needs_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    review_text: Mapped[str | None] = mapped_column(Text)
    # Whether the From was authenticated (DKIM/DMARC, or a trusted Authentication-Results):
    # "pass", "fail" or "none"; NULL when not checked (only introductions are).
    auth: Mapped[str | None] = mapped_column(String(8))
    auth_note: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
    # The introduction this message made, or whose thread it belongs to.
    introduction_id: Mapped[int | None] = mapped_column(
        ForeignKey("introductions.id", ondelete="SET NULL", use_alter=True), index=True
    )


class Introduction(Base):
    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    introducer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), unique=True
    )
    subject: Mapped[str] = mapped_column(Text, default="")
    made_at: Mapped[datetime]  # the Date of the message: decides the campaign
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a party first wrote in the thread: evidence that the two connected.
    connected_at: Mapped[datetime | None]
    # Why it is held (not counted, no follow-ups) until the introducer confirms it: a From
    # that failed authentication, more than a day's worth from one sender. NULL: counted.
    held_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]  # when the introducer confirmed a held one
    # The language it was written in, when it could be told (intro.languages): its
    # follow-ups are written in it, unless a person chose another.
    language: Mapped[str | None] = mapped_column(String(8))

    campaign: Mapped[Campaign] = relationship()
    introducer: Mapped[Person] = relationship()
    parties: Mapped[list[IntroductionParty]] = relationship(
        back_populates="introduction", cascade="all, delete-orphan"
    )


class IntroductionParty(Base):
    """One person who was introduced; never shown on public pages."""

    __tablename__ = "introduction_parties"
    __table_args__ = (UniqueConstraint("introduction_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The address the introduction used for them (a person may have several): their
    # follow-up goes there.
    email: Mapped[str] = mapped_column(String(ADDRESS))

    introduction: Mapped[Introduction] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship()


class FollowUp(Outgoing, Base):
    """The mail asking one party whether the introduction helped, and its one reminder."""

    __tablename__ = "followups"
    __table_args__ = (Index(None, "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: one follow-up per party, and a party belongs to one introduction.
    party_id: Mapped[int] = mapped_column(
        ForeignKey("introduction_parties.id", ondelete="CASCADE"), unique=True
    )
    due_at: Mapped[datetime]
    # The reminder is a second mail about the same row: its own claim and sending time.
    reminder_claimed_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    # The latest answer (every answer is kept in `answers`): what the tallies count.
    answer: Mapped[AnswerValue | None] = mapped_column(_enum(AnswerValue))

    party: Mapped[IntroductionParty] = relationship()


class PaceNote(Outgoing, Base):
    """The weekly note to a participant who is behind the campaign's pace: one a week at
    most, which the unique (participant, week) keeps even with several schedulers."""

    __tablename__ = "pace_notes"
    __table_args__ = (UniqueConstraint("participant_id", "week"), Index(None, "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    week: Mapped[date]  # the Monday of the week it is for
    count: Mapped[int]  # where they stood when it was written: their introductions so far
    pace: Mapped[int]  # and where the pace would have them
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeKind(enum.StrEnum):
    RECEIPT = "receipt"  # "Logged: your 7th introduction of 15 in 2026"
    ANSWERED = "answered"  # everyone introduced has answered


class Notice(Outgoing, Base):
    """A short note to an introducer about their introduction, sent at most once."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("introduction_id", "kind"), Index(None, "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AskStatus(enum.StrEnum):
    """Where an ask (intro.consent) stands."""

    PENDING = "pending"  # the asked person has not answered
    ANSWERED = "answered"  # they have: ``answer`` says what (it may still change)
    EXPIRED = "expired"  # no answer within [consent] expires; the introducer was told
    INTRODUCED = "introduced"  # the introduction was made, by the service or by the introducer
    UNCLEAR = "unclear"  # whom it asked, or about whom, could not be told; the introducer was told


class ConsentAsk(Base):
    """An introducer asked one person first whether they want to meet another (a message
    copying intro+ask@). Nothing is shown or counted for it; only an introduction is."""

    __tablename__ = "consent_asks"
    __table_args__ = (Index(None, "status", "created_at"), Index(None, "asked_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    introducer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The person asked, and the one they were asked about, at the addresses the ask used.
    # NULL when the ask was unclear.
    asked_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    asked_email: Mapped[str | None] = mapped_column(String(ADDRESS))
    other_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    other_email: Mapped[str | None] = mapped_column(String(ADDRESS))
    other_name: Mapped[str] = mapped_column(String(HEADER), default="")  # as the ask wrote it
    # The ask as received: replies to it thread to its Message-ID.
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(HEADER), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[AskStatus] = mapped_column(_enum(AskStatus), default=AskStatus.PENDING)
    answer: Mapped[str | None] = mapped_column(String(8))  # "yes", "not_now" or "no" (intro.meaning.Consent)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(8))  # "reply" or "web"
    introduction_id: Mapped[int | None] = mapped_column(ForeignKey("introductions.id", ondelete="SET NULL"))


class AskMailKind(enum.StrEnum):
    NUDGE = "nudge"  # to the asked person, unanswered after [consent] nudge: one-click answers
    YES = "yes"  # to the introducer: "Lee said yes", with "Send the introduction"
    DECLINED = "declined"  # to the introducer: "not this time" (for "not now" and "no" alike)
    EXPIRED = "expired"  # to the introducer: no answer within [consent] expires
    UNCLEAR = "unclear"  # to the introducer: whom did you ask, about whom?
    INTRODUCTION = "introduction"  # to both, from the service in the introducer's name


class AskMail(Outgoing, Base):
    """A mail about an ask, each kind at most once (the unique (ask, kind))."""

    __tablename__ = "ask_mails"
    __table_args__ = (UniqueConstraint("ask_id", "kind"), Index(None, "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ask_id: Mapped[int] = mapped_column(ForeignKey("consent_asks.id", ondelete="CASCADE"))
    kind: Mapped[AskMailKind] = mapped_column(_enum(AskMailKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The introduction only: the words its introducer chose to send.
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


class QuestionAnswer(enum.StrEnum):
    LOGGED = "logged"  # "Log it": it was an introduction, of the people chosen
    DECLINED = "declined"  # "It was not an introduction"
    DISMISSED = "dismissed"  # an organizer settled it without an answer


class Question(Outgoing, Base):
    """A message from a person to two or more others, copying the service, that was not
    recognised as an introduction: its sender is asked whether it was one (no silent
    misses). The answer is kept with what was predicted: corrections are data."""

    __tablename__ = "questions"
    __table_args__ = (Index(None, "status", "created_at"), Index(None, "person_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))  # who sent it, who is asked
    subject: Mapped[str] = mapped_column(Text, default="")
    # The people it might introduce: [{"email", "name", "suggested"}], ticked where the text points.
    candidates: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    predicted: Mapped[str] = mapped_column(String(20))  # the kind it was read as
    score: Mapped[float | None]  # the recognition score it had
    made_at: Mapped[datetime]  # when the message was written: the campaign it counts in if logged
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[QuestionAnswer | None] = mapped_column(_enum(QuestionAnswer))
    answered_at: Mapped[datetime | None]
    introduction_id: Mapped[int | None] = mapped_column(ForeignKey("introductions.id", ondelete="SET NULL"))


class Answer(Base):
    """One answer to a follow-up. Answers can change; every one is kept, the latest counts."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"), index=True)
    value: Mapped[AnswerValue] = mapped_column(_enum(AnswerValue))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16))  # "web" or "reply"


class Setting(Base):
    """Values the service decides for itself and every node must share, e.g. the secret key."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CampaignCount(Base):
    """A campaign's figures, kept exact on write (intro.counts), so that the tally page
    reads a few rows instead of counting a million: "introductions", "connected",
    one per answer value, "m01" to "m12" per month, and the growth's (intro.growth)."""

    __tablename__ = "campaign_counts"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class IntroducerCount(Base):
    """How many introductions each person made in a campaign, kept exact on write; and
    where they stand in its growth (intro.growth), kept with it."""

    __tablename__ = "introducer_counts"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime]  # when their first introduction in the campaign was made
    months: Mapped[int] = mapped_column(default=0, server_default="0")  # bit m - 1: made one in month m
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The introducer who brought them in (None in generation 0), and how many they brought in.
    brought_in_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    brought_in: Mapped[int] = mapped_column(default=0, server_default="0")


class CampaignPerson(Base):
    """Someone introduced in a campaign, once however often: "people connected" counts these."""

    __tablename__ = "campaign_people"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class LinkPurpose(enum.StrEnum):
    SIGN_IN = "sign_in"  # a magic link to one's personal page
    JOIN = "join"  # confirms an address entered on the join form
    INVITE = "invite"  # an organizer invites someone to join
    PRIVACY = "privacy"  # asked for by mail ("export", "forget"): signs in to see or erase one's data
    CONFIRM = "confirm"  # an introduction was held: signs the introducer in to confirm it
    HELD = "held"  # introductions wait for an organizer (the hourly limit of follow-ups): signs them in to release them
    ADDRESS = "address"  # adds the address it is mailed to to a person's own (intro.merging)


class Link(Outgoing, Base):
    """A link mailed to someone for one purpose: queued by the web site, sent by the
    scheduler (never from a request), used at most once, good for a limited time."""

    __tablename__ = "links"
    __table_args__ = (Index(None, "status", "created_at"), Index(None, "email", "created_at"),
                      Index(None, "client", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(_enum(LinkPurpose))
    email: Mapped[str] = mapped_column(String(ADDRESS))  # normalised
    name: Mapped[str] = mapped_column(String(HEADER), default="")  # given on the join form
    year: Mapped[int | None]  # the campaign to join
    listed: Mapped[bool] = mapped_column(default=True)  # the choice made on the join form
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The person an address link adds its address to.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    client: Mapped[str] = mapped_column(String(64), default="")  # the IP address that asked (rate limits)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]  # single use: set when the link is followed
    language: Mapped[str | None] = mapped_column(String(8))  # the page's, when asked on the web


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; the row holds its hash, so
    signing out (or out everywhere, or being forgotten) ends it at once, whatever the
    cookie still says."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Suppressed(Base):
    """An address forgotten at its owner's request, as a keyed hash (intro.suppression)."""

    __tablename__ = "suppressed"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256 of the address
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """A URL an organizer asked to be told of events at (intro.webhooks), with the secret
    its deliveries are signed with (Standard Webhooks)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)  # http or https, to a host that is not private (intro.webhooks)
    events: Mapped[list[str]] = mapped_column(JSON)  # the event types it is subscribed to
    # "whsec_" and the base64 of 32 random bytes: shown once to the organizer, kept here
    # because the service signs every delivery with it.
    secret: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]  # nothing is queued for it, nor sent to it, while set
    reason: Mapped[str | None] = mapped_column(Text)  # why it was disabled
    # Attempts in a row that failed, since the first of them: a day of them disables it.
    failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None]


class WebhookDelivery(Outgoing, Base):
    """One event for one endpoint, delivered at least once (intro.deliveries). Its tag is
    its webhook-id ("msg_..."), the same at every attempt, so that receivers drop repeats;
    ``sent_at`` is when a 2xx answered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index(None, "status", "id"), Index(None, "endpoint_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, exactly as every attempt sends it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None]  # the HTTP status of the last attempt; NULL: no answer


class WebhookNote(Outgoing, Base):
    """The mail telling an organizer that an endpoint was disabled after a day of failures."""

    __tablename__ = "webhook_notes"
    __table_args__ = (Index(None, "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(ADDRESS))  # the organizer's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
