"""`intro demo seed`: a campaign full of realistic generated data, for demos and benchmarks.

The rows are the ones the service itself writes (the same tables, tags, follow-up
schedule and answer history), inserted in bulk: recording a million introductions one
message at a time would take an hour, this takes minutes. Every address is under a
reserved example domain, and every mail is settled in the past (sent, answered, or
never to be sent), and the participants have stopped the weekly pace note (unless
--pace-notes), so a scheduler running on the same database mails nobody.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from sqlalchemy import Engine, func, insert, select

from intro import counts, pace, schema
from intro.campaigns import campaign_id_for
from intro.cli import setup
from intro.db import transaction
from intro.models import (
    Answer,
    AnswerValue,
    Campaign,
    FollowUp,
    Introduction,
    IntroductionParty,
    MailStatus,
    Participant,
    Person,
)
from intro.outbox import new_tag
from intro.timeutil import utcnow

BATCH = 20_000  # introductions per transaction
_FIRST = ("Ada", "Ben", "Chloé", "Dana", "Emeka", "Farah", "Gustav", "Hana", "Ines", "Jonas", "Kofi", "Lea",
          "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomasz", "Uma", "Vera", "Wen", "Yusuf")
_LAST = ("Okafor", "Lindqvist", "Martin", "Reyes", "Nakamura", "Haddad", "Schmidt", "Costa", "Novak", "Park",
         "Mensah", "Rossi", "Silva", "Kowalski", "Dubois", "Jansen", "Chen", "Ibrahim", "Moreau", "Walsh")
_SUBJECTS = ("{a}, meet {b}", "Intro: {a} <> {b}", "{a} + {b}", "Introducing {a} and {b}", "You two should talk")


@dataclass
class Seeded:
    participants: int
    people: int
    introductions: int
    followups: int
    answers: int


NEVER_SENT = "demo data: never mailed"


def generate(engine: Engine, intros: int, participants: int, year: int, rng: random.Random,
             delay: timedelta, goal: str = "15", reminder: timedelta = timedelta(days=7),
             pace_notes: bool = False) -> Seeded:
    now = utcnow()
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = min(datetime(year + 1, 1, 1, tzinfo=UTC), now)
    span = max(int((end - start).total_seconds()), 1)
    with transaction(engine, write=True) as s:
        campaign = campaign_id_for(s, year, goal)
        ids = {table: (s.scalar(select(func.max(table.id))) or 0) for table in
               (Person, Introduction, IntroductionParty, FollowUp, Answer, Participant)}
    contacts = max(100, min(intros * 2 // 3, 300_000))
    person_id = ids[Person]
    people: list[dict[str, Any]] = []
    for i in range(participants + contacts):
        person_id += 1
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        domain = "example.org" if i < participants else rng.choice(("example.com", "example.net"))
        local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
        people.append({"id": person_id, "email": f"{local}.{person_id}@{domain}",
                       "display_name": f"{first} {last}", "created_at": now})
    introducers = [p["id"] for p in people[:participants]]
    pool = [p["id"] for p in people[participants:]]
    names = {p["id"]: p["display_name"].split()[0] for p in people}
    emails = {p["id"]: p["email"] for p in people}
    # Some participants are far keener than others, as in life.
    weights = [rng.paretovariate(1.5) for _ in introducers]
    seeded = Seeded(participants, len(people), 0, 0, 0)
    with transaction(engine, write=True) as s:
        for chunk in range(0, len(people), BATCH):
            s.execute(insert(Person), people[chunk:chunk + BATCH])
        s.execute(insert(Participant), [
            {"id": ids[Participant] + n + 1, "campaign_id": campaign, "person_id": pid,
             "listed": rng.random() < 0.9, "joined_at": start, "pace_stopped": not pace_notes}
            for n, pid in enumerate(introducers)])
    next_id = {table: ids[table] for table in (Introduction, IntroductionParty, FollowUp, Answer)}
    for done in range(0, intros, BATCH):
        rows: dict[type, list[dict[str, object]]] = {t: [] for t in next_id}
        for _ in range(min(BATCH, intros - done)):
            next_id[Introduction] += 1
            made = start + timedelta(seconds=rng.randrange(span))
            group = rng.sample(pool, 3 if rng.random() < 0.1 else 2)
            introducer = rng.choices(introducers, weights)[0] if introducers else rng.choice(pool)
            subject = rng.choice(_SUBJECTS).format(a=names[group[0]], b=names[group[1]])
            rows[Introduction].append({"id": next_id[Introduction], "campaign_id": campaign,
                                       "introducer_id": introducer, "subject": subject, "made_at": made,
                                       "recorded_at": made})
            for party in group:
                next_id[IntroductionParty] += 1
                next_id[FollowUp] += 1
                rows[IntroductionParty].append({"id": next_id[IntroductionParty],
                                                "introduction_id": next_id[Introduction], "person_id": party,
                                                "email": emails[party]})
                due = made + delay
                sent = due <= now
                # A follow-up not yet due is cancelled, and every reminder counts as sent
                # (by now at the latest): a scheduler on this database has nothing to send.
                reminded = min(due + reminder, now) if sent else None
                rows[FollowUp].append({"id": next_id[FollowUp], "party_id": next_id[IntroductionParty],
                                       "tag": new_tag(), "due_at": due, "attempts": 0, "answer": None,
                                       "status": MailStatus.SENT if sent else MailStatus.CANCELLED,
                                       "last_error": None if sent else NEVER_SENT,
                                       "sent_at": due if sent else None, "claimed_at": due if sent else None,
                                       "reminder_claimed_at": reminded, "reminder_sent_at": reminded})
                if sent and rng.random() < 0.6:
                    next_id[Answer] += 1
                    value = rng.choices(list(AnswerValue), (55, 25, 20))[0]
                    rows[FollowUp][-1]["answer"] = value
                    rows[Answer].append({"id": next_id[Answer], "followup_id": next_id[FollowUp], "value": value,
                                         "comment": "", "answered_at": due + timedelta(days=rng.randrange(1, 10)),
                                         "source": rng.choice(("web", "reply"))})
        with transaction(engine, write=True) as s:
            for table in (Introduction, IntroductionParty, FollowUp, Answer):
                if rows[table]:
                    s.execute(insert(table), rows[table])
        seeded.introductions += len(rows[Introduction])
        seeded.followups += len(rows[FollowUp])
        seeded.answers += len(rows[Answer])
    with transaction(engine, write=True) as s:
        counts.recount(s, campaign)  # the rows went in around the counters: count them once
    return seeded


@click.group()
def demo() -> None:
    """Demo data (never for a database with real people in it)."""


@demo.command()
@click.option("--intros", type=click.IntRange(min=0), default=1000, show_default=True, help="Introductions.")
@click.option("--participants", type=click.IntRange(min=1), default=25, show_default=True,
              help="Participants who make them.")
@click.option("--year", type=int, default=None, help="Campaign year (default: this year).")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Random seed: same seed, same data.")
@click.option("--pace-notes", is_flag=True,
              help="Let the seeded participants get the weekly pace note ([campaign] pace_note), to try it; "
                   "without this they have stopped it, so that demo data mails nobody.")
@click.pass_context
def seed(ctx: click.Context, intros: int, participants: int, year: int | None, seed_value: int,
         pace_notes: bool) -> None:
    """Fill the database with a realistic generated campaign."""
    config, engine = setup(ctx)
    schema.ensure_current(engine)
    year = year or utcnow().year
    with transaction(engine) as s:
        if s.scalar(select(func.count()).select_from(Campaign).where(Campaign.year == year)) and \
                s.scalar(select(func.count()).select_from(Introduction)):
            click.echo(f"note: adding to the introductions already in {year}", err=True)
    made = generate(engine, intros, participants, year, random.Random(seed_value), config.followup.delay,
                    config.campaign.goal, config.followup.reminder, pace_notes)
    click.echo(f"seeded {made.introductions} introductions by {made.participants} participants "
               f"({made.people} people), {made.followups} follow-ups, {made.answers} answers")
    with transaction(engine) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.year == year)).one()
        behind = pace.behind(s, campaign, utcnow(), everyone=True)
    click.echo(f"behind the pace today: {len(behind)} of the campaign's participants "
               f"(pace {pace.pace(campaign.goal, year, utcnow())} of {campaign.goal})")
