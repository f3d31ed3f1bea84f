"""A seeded campaign that grows: some of the people introduced go on to introduce others.

`intro demo seed` has its participants introduce people who never introduce anyone, so
the tally page's growth shows generation 0 alone. ``grow`` adds, to a seeded database,
introductions made by people who were introduced (some days after they were), and by
those they introduced in turn, a few generations deep; then recounts the campaign, as
`intro demo seed` does after its bulk inserts. For screenshots and benchmarks only.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import Engine, func, insert, select

from intro import counts
from intro.db import transaction
from intro.models import Campaign, Introduction, IntroductionParty, Person
from intro.timeutil import utcnow


def grow(engine: Engine, year: int, starters: int, generations: int = 4, seed: int = 1) -> int:
    """Have ``starters`` of the earliest people introduced in ``year`` introduce others, and
    the people they introduce do the same, ``generations`` deep. Returns the introductions added."""
    rng, now = random.Random(seed), utcnow()
    with transaction(engine, write=True) as s:
        campaign = s.scalars(select(Campaign.id).where(Campaign.year == year)).one()
        first_introduced = (select(IntroductionParty.person_id, func.min(Introduction.made_at).label("at"))
                            .join(Introduction, Introduction.id == IntroductionParty.introduction_id)
                            .where(Introduction.campaign_id == campaign).group_by(IntroductionParty.person_id))
        introduced = s.execute(first_introduced.order_by("at", IntroductionParty.person_id)).all()
        introducers = set(s.scalars(select(Introduction.introducer_id).where(Introduction.campaign_id == campaign)))
        pool = [person for person, _ in introduced if person not in introducers]
        wave = [(person, at) for person, at in introduced if person not in introducers][:starters]
        next_id = {t: s.scalar(select(func.max(t.id))) or 0 for t in (Introduction, IntroductionParty)}
        address = {p: e for p, e in s.execute(select(Person.id, Person.email))}  # as each party is addressed
        rows: dict[type, list[dict[str, object]]] = {Introduction: [], IntroductionParty: []}
        for _ in range(generations):
            following = []
            for person, introduced_at in wave:
                for _ in range(rng.choice((1, 1, 2, 3))):
                    made = introduced_at + timedelta(days=rng.randint(5, 60), seconds=rng.randrange(86_400))
                    if made >= now or made.year != year:
                        continue
                    next_id[Introduction] += 1
                    rows[Introduction].append({"id": next_id[Introduction], "campaign_id": campaign,
                                               "introducer_id": person, "subject": "You two should talk",
                                               "made_at": made, "recorded_at": made})
                    for party in [p for p in rng.sample(pool, 3) if p != person][:2]:
                        next_id[IntroductionParty] += 1
                        rows[IntroductionParty].append({"id": next_id[IntroductionParty], "person_id": party,
                                                        "introduction_id": next_id[Introduction],
                                                        "email": address[party]})
                        if rng.random() < 0.3:
                            following.append((party, made))
            wave = following
        for table in (Introduction, IntroductionParty):
            if rows[table]:
                s.execute(insert(table), rows[table])
        counts.recount(s, campaign)
    return len(rows[Introduction])
