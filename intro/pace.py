"""The weekly pace note: a short mail to a participant who is behind the campaign's pace,
on the day of the week the organizer chose ([campaign] pace_note). A kind of mail of the
outbox (intro.outbox), so it goes out at most once, like every other.

The pace is the goal spread evenly over the campaign's year: on 1 July of a 15-a-year
campaign, about 7. "Behind" is behind by at least one whole introduction. Those on pace
or ahead get nothing; so do those who paused the notes, stopped them, opted out of all
mail, or whose address bounces. The unique (participant, week) keeps it to one a week,
however many schedulers run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intro.models import Campaign, IntroducerCount, MailStatus, PaceNote, Participant, Person
from intro.outbox import Cancel, Decision, Retry, Send, Stage, locked, new_tag, ready
from intro.upsert import insert_new
from intro.values import WEEKDAYS

DAYS = WEEKDAYS
PACE = Stage("pace_note", PaceNote, Retry(attempts=3))
PAUSE = timedelta(days=30)  # "pause these for a month"
# A note not sent within its day (a relay down all day) is not sent later: the next
# week's, if still behind, says the same with fresher figures.
FRESH = timedelta(days=1)


def pace(goal: int, year: int, now: datetime) -> int:
    """Introductions a participant would have made by ``now`` at an even pace (whole ones)."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    share = min(max((now - start) / (end - start), 0.0), 1.0)
    return int(goal * share)


def week_of(now: datetime) -> date:
    """The Monday of ``now``'s week: the week a note is for."""
    return (now - timedelta(days=now.weekday())).date()


@dataclass(frozen=True)
class Behind:
    participant_id: int
    count: int
    pace: int


def behind(session: Session, campaign: Campaign, now: datetime, everyone: bool = False) -> list[Behind]:
    """The campaign's participants behind pace by one or more who may be sent a note now
    (``everyone``: also those who paused or stopped the notes or all mail)."""
    on_pace = pace(campaign.goal, campaign.year, now)
    count = func.coalesce(IntroducerCount.count, 0)
    query = (select(Participant.id, count).select_from(Participant)
             .join(Person, Person.id == Participant.person_id)
             .outerjoin(IntroducerCount, (IntroducerCount.person_id == Participant.person_id)
                        & (IntroducerCount.campaign_id == campaign.id))
             .where(Participant.campaign_id == campaign.id, count < on_pace).order_by(Participant.id))
    if not everyone:
        query = query.where(Participant.pace_stopped.is_(False),
                            Participant.pace_paused_until.is_(None) | (Participant.pace_paused_until <= now),
                            Person.opted_out_at.is_(None), Person.bouncing_since.is_(None))
    return [Behind(pid, n, on_pace) for pid, n in session.execute(query)]


def plan(session: Session, day: str, now: datetime) -> int:
    """On the chosen day, a note for each participant behind pace this week (unless one is
    there already); return how many were added."""
    if day not in DAYS or DAYS[now.weekday()] != day:
        return 0
    campaign = session.scalars(select(Campaign).where(Campaign.year == now.year)).first()
    if campaign is None:
        return 0
    week, added = week_of(now), 0
    for who in behind(session, campaign, now):
        new = insert_new(session, PaceNote, {
            "participant_id": who.participant_id, "week": week, "count": who.count, "pace": who.pace,
            "tag": new_tag(), "status": MailStatus.PENDING, "attempts": 0, "created_at": now},
            ["participant_id", "week"])
        added += new is not None
    return added


@dataclass(frozen=True)
class PaceJob:
    note_id: int
    tag: str
    person_id: int
    participant_id: int
    email: str
    name: str
    count: int
    pace: int
    goal: int
    year: int
    team_count: int  # the team's introductions so far (participants'), and its goal
    team_goal: int
    language: str | None = None  # the participant's choice


class PaceNotes:
    """The outbox kind: this week's notes, planned on the chosen day, then sent."""

    name = "pace_notes"
    stages: tuple[Stage, ...] = (PACE,)

    def __init__(self, day: str) -> None:
        self.day = day

    def due(self, session: Session, now: datetime, limit: int) -> list[tuple[Stage, Any, Decision[PaceJob]]]:
        plan(session, self.day, now)
        pending = session.scalars(locked(
            select(PaceNote).where(PaceNote.status == MailStatus.PENDING, PaceNote.claimed_at.is_(None),
                                   ready(PaceNote, now)).order_by(PaceNote.id), PaceNote, limit)).all()
        decided: list[tuple[Stage, Any, Decision[PaceJob]]] = []
        for note in pending:
            participant = session.get_one(Participant, note.participant_id)
            reason = _not_sendable(participant, note, now)
            decided.append((PACE, note, Cancel(reason) if reason else Send(_job(session, note, participant))))
        return decided


def _not_sendable(participant: Participant, note: PaceNote, now: datetime) -> str:
    person = participant.person
    if person.opted_out_at or person.bouncing_since:
        return "opted out" if person.opted_out_at else "address bounces"
    if participant.pace_stopped:
        return "pace notes stopped"
    if participant.pace_paused_until and participant.pace_paused_until > now:
        return "pace notes paused"
    if now - note.created_at > FRESH:
        return "not sent on its day; next week's will say it"
    return ""


def _job(session: Session, note: PaceNote, participant: Participant) -> PaceJob:
    campaign = participant.campaign
    members = select(Participant.person_id).where(Participant.campaign_id == campaign.id)
    team_count = session.scalar(select(func.coalesce(func.sum(IntroducerCount.count), 0)).where(
        IntroducerCount.campaign_id == campaign.id, IntroducerCount.person_id.in_(members))) or 0
    participants = session.scalar(select(func.count()).select_from(Participant)
                                  .where(Participant.campaign_id == campaign.id)) or 0
    person = participant.person
    return PaceJob(note_id=note.id, tag=note.tag, person_id=person.id, participant_id=participant.id,
                   email=person.email, name=person.display_name or "", count=note.count, pace=note.pace,
                   goal=campaign.goal, year=campaign.year, team_count=team_count,
                   team_goal=participants * campaign.goal, language=person.language)


def pause(session: Session, participant_id: int, now: datetime) -> datetime:
    """No pace notes for a month; return until when."""
    participant = session.get_one(Participant, participant_id)
    participant.pace_paused_until = now + PAUSE
    return participant.pace_paused_until


def stop(session: Session, participant_id: int) -> None:
    session.get_one(Participant, participant_id).pace_stopped = True
