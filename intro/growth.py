"""Does it grow? Who brought whom in, kept exact on write beside the other figures.

The tally page shows, naming no one, how many of the people introduced went on to make
introductions themselves, by generation; how many people made introductions each month;
and the branching. The definitions (docs/GUIDE.md says them for everyone):

- An *introducer* of a campaign made at least one of its counted introductions (a held
  one counts once confirmed, as everywhere); their *first introduction* is the earliest
  by when it was made (``made_at``, the message's Date), not by when it was recorded.
- *Generation 0*: introducers whom nobody had introduced in the campaign before their
  first introduction: the campaign's first participants, and anyone who introduces
  without having been introduced here first, joined or not.
- *Generation n + 1*: an introducer who, strictly before their first introduction, was
  introduced by a generation-n introducer. Introduced by several, the smallest n counts,
  and the introducer who made that introduction *brought them in* (of several of one
  generation, the earliest introduction; then the lowest id). An introduction received
  after one's first introduction changes nothing: in a cycle (A introduces B, B later
  introduces A) A stays where A was. Whoever brings someone in made their own first
  introduction strictly earlier, so generations follow from each other in time order
  and never loop.
- *New introducers in a month*: those whose first introduction fell in it; *all
  introducers in a month*: those who made at least one introduction in it.
- *Branching*: the introducers brought in (generation 1 and later) per introducer who
  brought any in.

Kept per introducer and campaign (``IntroducerCount``): the first introduction, the months
with one (a bit each), the generation, who brought them in and how many they brought in;
per campaign (``CampaignCount``): ``gen_N``, ``new_mMM``, ``active_mMM`` and ``parents``.
Recording an introduction in time order reads a few rows. One recorded out of order (an
import of an old mailbox, a message whose Date is days old) can move its introducer's
first introduction earlier, or give someone an earlier introducer; then everyone whose
generation may follow from the change is settled again, earliest first introduction
first, in the same transaction: the figures are exact whatever the order of recording,
and ``recount`` (a pass in time order) finds the same.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session, aliased

from intro.models import IntroducerCount, Introduction, IntroductionParty

PARENTS = "parents"  # introducers who brought at least one other in
GENERATION = "gen_"  # then the generation: its introducers


def generation_name(generation: int) -> str:
    return f"{GENERATION}{generation}"


def new_name(month: int) -> str:
    return f"new_m{month:02d}"


def active_name(month: int) -> str:
    return f"active_m{month:02d}"


def _bit(when: datetime) -> int:
    return 1 << (when.month - 1)


# Statements built once, on the tables: recording runs for every message, and building
# and compiling ORM statements would cost several times the queries themselves.
_COUNTS, _INTROS, _PARTIES = (cast(Table, m.__table__) for m in (IntroducerCount, Introduction, IntroductionParty))
_IC, _I, _P = _COUNTS.c, _INTROS.c, _PARTIES.c
_THIS = and_(_IC.campaign_id == bindparam("campaign"), _IC.person_id == bindparam("person"))
_ROWS = select(_IC.person_id, _IC.first_at, _IC.months).where(
    _IC.campaign_id == bindparam("campaign"), _IC.person_id.in_(bindparam("people", expanding=True)))
_NEW = insert(_COUNTS)
_ONE_MORE = update(_COUNTS).where(_THIS).values(
    count=_IC.count + 1, months=bindparam("months"), first_at=bindparam("first"))
_WAS = select(_IC.generation, _IC.brought_in_by).where(_THIS)
# The introductions naming them, strictly before their first, by who made them: from the
# introductions naming them (an index), not from the campaign's, which SQLite without
# statistics would otherwise read whole.
_BEST = (select(_IC.generation, _I.introducer_id).select_from(_INTROS)
         .join(_COUNTS, and_(_IC.campaign_id == _I.campaign_id, _IC.person_id == _I.introducer_id))
         .where(_I.id.in_(select(_P.introduction_id).where(_P.person_id == bindparam("person"))),
                _I.campaign_id == bindparam("campaign"), _I.held_reason.is_(None), _I.made_at < bindparam("first"),
                _I.introducer_id != bindparam("person"))
         .order_by(_IC.generation, _I.made_at, _I.id).limit(1))
_PLACE = update(_COUNTS).where(_THIS).values(
    generation=bindparam("generation"), brought_in_by=bindparam("by"))
_BROUGHT = (update(_COUNTS).where(_THIS).values(brought_in=_IC.brought_in + bindparam("step"))
            .returning(_IC.brought_in))
_THEM = _COUNTS.alias("them")
# Those ``person`` introduced before their own first introduction: whose generation may follow from theirs.
_INTRODUCED_BEFORE_THEIR_FIRST = (
    select(_P.person_id, _THEM.c.first_at).distinct().select_from(_INTROS)
    .join(_PARTIES, _P.introduction_id == _I.id)
    .join(_THEM, and_(_THEM.c.campaign_id == _I.campaign_id, _THEM.c.person_id == _P.person_id))
    .where(_I.introducer_id == bindparam("person"), _I.campaign_id == bindparam("campaign"),
           _I.held_reason.is_(None), _I.made_at < _THEM.c.first_at, _P.person_id != bindparam("person")))


def introduction_added(session: Session, campaign_id: int, introducer_id: int, made_at: datetime,
                       party_ids: Iterable[int]) -> Counter[str]:
    """Count a newly counted introduction (its rows already written) in its introducer's
    row and the growth; returns the changes to the campaign's counters.

    The caller holds the campaign's counter lock (intro.counts), so that two recorders of
    one campaign settle generations one after the other, each seeing the other's."""
    changes: Counter[str] = Counter()
    parties = set(party_ids) - {introducer_id}
    rows = {row.person_id: row for row in session.execute(
        _ROWS, {"campaign": campaign_id, "people": [introducer_id, *parties]})}
    mine, month = rows.get(introducer_id), made_at.month
    pending: dict[int, datetime] = {}  # whose generation to settle again: their first introduction
    if mine is None:
        session.execute(_NEW, {"campaign_id": campaign_id, "person_id": introducer_id, "count": 1,
                               "first_at": made_at, "months": _bit(made_at)})
        changes.update({new_name(month): 1, active_name(month): 1, generation_name(0): 1})  # settled below
        pending[introducer_id] = made_at
    else:
        session.execute(_ONE_MORE, {"campaign": campaign_id, "person": introducer_id,
                                    "months": mine.months | _bit(made_at), "first": min(mine.first_at, made_at)})
        if not mine.months & _bit(made_at):
            changes[active_name(month)] += 1
        if made_at < mine.first_at:  # recorded out of order: an earlier first introduction
            changes[new_name(mine.first_at.month)] -= 1
            changes[new_name(month)] += 1
            pending[introducer_id] = made_at
    for person in parties:
        row = rows.get(person)
        if row is not None and made_at < row.first_at:  # introduced before their own first: a candidate
            pending[person] = row.first_at
    _settle(session, campaign_id, pending, changes, fresh=introducer_id if mine is None else None)
    return changes


def _settle(session: Session, campaign_id: int, pending: Mapping[int, datetime], changes: Counter[str],
            fresh: int | None) -> None:
    """Work out again who brought each ``pending`` person in, earliest first introduction
    first; a changed generation passes on to everyone they introduced before that
    person's own first introduction. ``fresh``: a new introducer, who introduced no one
    before this introduction."""
    queue = [(first, person) for person, first in pending.items()]
    heapq.heapify(queue)
    done: set[int] = set()
    while queue:
        # Everyone who could have brought this person in made a first introduction earlier,
        # so was settled already: the order makes one pass enough.
        first, person = heapq.heappop(queue)
        if person in done:
            continue
        done.add(person)
        this = {"campaign": campaign_id, "person": person}
        was = session.execute(_WAS, this).one()
        best = session.execute(_BEST, {**this, "first": first}).first()
        generation, by = (best.generation + 1, best.introducer_id) if best else (0, None)
        if (generation, by) == (was.generation, was.brought_in_by):
            continue
        session.execute(_PLACE, {**this, "generation": generation, "by": by})
        changes[generation_name(was.generation)] -= 1
        changes[generation_name(generation)] += 1
        if by != was.brought_in_by:
            for parent, step in ((was.brought_in_by, -1), (by, 1)):
                if parent is None:
                    continue
                now = session.execute(_BROUGHT, {"campaign": campaign_id, "person": parent, "step": step}).scalar_one()
                if (step, now) in ((1, 1), (-1, 0)):  # brought their first one in, or no longer any
                    changes[PARENTS] += step
        if generation != was.generation and person != fresh:
            queue.extend((first, who) for who, first in session.execute(_INTRODUCED_BEFORE_THEIR_FIRST, this))
            heapq.heapify(queue)


def recount(session: Session, campaign_id: int, introducers: Mapping[int, tuple[int, datetime, int]]) -> Counter[str]:
    """Write the campaign's introducer rows anew from ``introducers`` (person: count, first
    introduction, months), with who brought whom in worked out in one pass over the
    introductions in time order; returns the growth's counters. The rows must be gone."""
    if introducers:
        session.execute(insert(IntroducerCount), [
            {"campaign_id": campaign_id, "person_id": person, "count": n, "first_at": first, "months": months}
            for person, (n, first, months) in introducers.items()])
    them = aliased(IntroducerCount)
    # Only the introductions that reach someone before their own first introduction.
    edges = session.execute(
        select(Introduction.introducer_id, IntroductionParty.person_id).select_from(Introduction)
        .join(IntroductionParty, IntroductionParty.introduction_id == Introduction.id)
        .join(them, and_(them.campaign_id == campaign_id, them.person_id == IntroductionParty.person_id))
        .where(Introduction.campaign_id == campaign_id, Introduction.held_reason.is_(None),
               Introduction.made_at < them.first_at, IntroductionParty.person_id != Introduction.introducer_id)
        .order_by(Introduction.made_at, Introduction.id))
    best: dict[int, tuple[int, int]] = {}  # person: (generation, brought in by)
    for introducer, person in edges:
        # The introducer's own candidates all came strictly before their first introduction,
        # so before this one: their generation is settled.
        generation = best.get(introducer, (0, 0))[0] + 1
        if person not in best or generation < best[person][0]:
            best[person] = (generation, introducer)
    brought = Counter(by for _, by in best.values())
    root: tuple[int, int | None] = (0, None)  # generation 0, brought in by no one
    if moved := best.keys() | brought.keys():  # by primary key, in bulk
        session.execute(update(IntroducerCount), [
            {"campaign_id": campaign_id, "person_id": p, "generation": best.get(p, root)[0],
             "brought_in_by": best.get(p, root)[1], "brought_in": brought[p]} for p in sorted(moved)])
    changes: Counter[str] = Counter({PARENTS: len(brought)})
    for person, (_, first, months) in introducers.items():
        changes[generation_name(best.get(person, root)[0])] += 1
        changes[new_name(first.month)] += 1
        for month in range(1, 13):
            if months & 1 << (month - 1):
                changes[active_name(month)] += 1
    return changes
