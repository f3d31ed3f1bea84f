"""Does it grow? The growth figures of a campaign of known shape, recorded by mail as the
service records it, in time order and out of it; the counters kept on write against a
recount and the migration; and the rule that no figure under 5 people is shown."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select

from inbound.processor import process_pending
from inbound.understanding.mime import envelope_id
from intro import config as intro_config
from intro import counts, schema
from intro.addresses import Address
from intro.campaigns import campaign_id_for, join
from intro.db import transaction
from intro.messages import arrival, store
from intro.models import Campaign, CampaignCount, IntroducerCount, Introduction, Person
from intro.people import person_id_for
from tests.seed import SERVICE, seeded_app
from tests.smtp_helpers import load
from web import create_app

# (month, day, introducer, the person they introduce); each introduction also introduces
# a contact of the introducer's who never introduces anyone ("-": two such contacts).
SHAPE = [
    *((1, 1 + i, f"r{i}", f"a{i}") for i in range(1, 7)),  # r1..r6 start it: generation 0
    *((1, 20, "r1", f"t{i}") for i in range(1, 5)),  # a tree: r1 brings in a1 and t1..t4
    *((2, 1 + i, f"a{i}", f"b{i}") for i in range(1, 7)),  # b6 never introduces
    *((3, 1 + i, f"b{i}", f"c{i}") for i in range(1, 6)),  # chains: r1 > a1 > b1 > c1
    *((3, 10 + i, f"t{i}", "-") for i in range(1, 5)),
    (3, 20, "b2", "a2"),  # a cycle: a2 introduced b2, who introduces a2 after a2 began
    *((4, 1 + i, f"c{i}", f"d{i}") for i in range(1, 6)),  # d1..d5 never introduce
    *((4, 10, f"c{i}", f"e{i}") for i in range(1, 6)),  # e1..e5 introduced twice before their first:
    *((4, 12, f"r{i}", f"e{i}") for i in range(1, 6)),  # by generation 3, then generation 0
    *((4, 15, f"c{i}", f"g{i}") for i in range(1, 6)),  # g1..g5: by generation 3 before their first,
    (4, 20, "c1", "r2"),  # a cycle back to the start
    *((5, i, f"e{i}", "-") for i in range(1, 6)),
    *((5, 5 + i, f"g{i}", "-") for i in range(1, 6)),
    *((5, 20, f"r{i}", f"g{i}") for i in range(1, 6)),  # and by generation 0 only after it
]
GENERATIONS = [6, 15, 5, 5, 5]  # r1..r6; a1..a6, t1..t4, e1..e5; b1..b5; c1..c5; g1..g5
BRANCHING = round(30 / 21, 2)  # 30 brought in by r1..r6, a1..a5, b1..b5, c1..c5
BY_MONTH = [("2026-01", 6, 6), ("2026-02", 6, 6), ("2026-03", 9, 9), ("2026-04", 5, 10), ("2026-05", 10, 15)]
_NAMES = ("Ada Amsel Bea Boris Cato Cleo Dario Edda Emil Fenna Gero Greta Hanno Ilka Ivo Jona Jorik Kaja Kuno Lotta "
          "Malte Mira Nele Nils Olga Oskar Paula Quirin Rike Rasmus Selma Silas Tamo Thea Ulla Veit Wanda Wido Xena "
          "Yara Yorick Zora Zeno Anouk Bjarne Carlo Dalia Eske Frode Gesa Hauke Inka Janne Kalle Linus Momo Nora "
          "Ole Pia Ronja Smilla Tjark Ute Vico Wilma Ansgar Birte Caspar Doro Elin Falk Gunda Henrik Ida Jakob Karla "
          "Lasse Maren Neo Ortrud Philo").split()


_NAME = dict(zip(sorted({p for _, _, i, t in SHAPE for p in (i, t)} - {"-"}), _NAMES, strict=False))


def _mail(n: int, month: int, day: int, introducer: str, introduced: list[str]) -> bytes:
    """Introduction ``n`` as its introducer wrote it: plain_introduction.eml with other people."""
    name = _NAME
    first, second = (Address(f"{p}@example.org", f"{name[p]} Test") if p in name else
                     Address(f"contact{n}-{k}@example.net", f"{_NAMES[-1 - k]} Contact{n}") for k, p in
                     enumerate(introduced))
    raw = load("plain_introduction.eml")
    for old, new in ((b"Dana Reyes <dana@example.net>", f"{first.name} <{first.email}>"),
                     (b"Lee Park <lee@example.org>", f"{second.name} <{second.email}>"),
                     (b"Sam Carter <sam@example.com>", f"{name[introducer]} Test <{introducer}@example.org>"),
                     (b"Tue, 03 Mar 2026 09:15:00 +0000", datetime(2026, month, day, 9, n % 60, tzinfo=UTC)
                      .strftime("%a, %d %b %Y %H:%M:%S +0000")),
                     (b"<intro-1@", f"<growth-{n}@"), (b"Dana", first.name.split()[0]),
                     (b"Lee", second.name.split()[0]), (b"\r\nSam\r\n", f"\r\n{name[introducer]}\r\n")):
        raw = raw.replace(old, new.encode() if isinstance(new, str) else new)
    return raw


def _record(engine: Engine, order: list[int]) -> None:
    """The campaign's introductions, mailed and processed in this order."""
    raws = [_mail(n, month, day, introducer, [introduced, "-"])
            for n, (month, day, introducer, introduced) in enumerate(SHAPE)]
    config = intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE})
    for n in order:
        store(engine, [arrival(raws[n], f"{SHAPE[n][2]}@example.org", [SERVICE], "127.0.0.1", envelope_id(raws[n]))])
    process_pending(engine, config)
    with transaction(engine, write=True) as s:
        assert s.scalar(select(func.count()).select_from(Introduction)) == len(SHAPE), \
            "every message was recorded as an introduction"
        campaign = s.scalars(select(Campaign.id)).one()
        for root in ("r1", "r2", "r3", "r4", "r5"):  # r6 never joined: a root all the same
            join(s, s.scalars(select(Person.id).where(Person.email == f"{root}@example.org")).one(), campaign)


def _growth(app: Flask) -> dict[str, object]:
    return app.test_client().get("/api/tallies?campaign=2026").get_json()["growth"]  # type: ignore[no-any-return]


def _expected() -> dict[str, object]:
    return {"suppressed_below": 5, "generations": [{"generation": g, "people": n} for g, n in enumerate(GENERATIONS)],
            "introducers_by_month": [{"month": m, "new": new, "total": total} for m, new, total in BY_MONTH],
            "branching": BRANCHING}


def _who_brought_whom(engine: Engine) -> dict[str, tuple[int, str | None, int]]:
    """Each introducer's generation, who brought them in and how many they brought in."""
    with transaction(engine) as s:
        email = {p: e.split("@")[0] for p, e in s.execute(select(Person.id, Person.email))}
        return {email[r.person_id]: (r.generation, email.get(r.brought_in_by or 0), r.brought_in)
                for r in s.scalars(select(IntroducerCount))}


def _kept(engine: Engine) -> tuple[dict[str, int], dict[int, tuple[object, ...]]]:
    with transaction(engine) as s:
        figures = {n: v for n, v in s.execute(select(CampaignCount.name, CampaignCount.value))
                   if v and n != counts.CHANGES}
        rows = {r.person_id: (r.count, r.first_at, r.months, r.generation, r.brought_in_by, r.brought_in)
                for r in s.scalars(select(IntroducerCount))}
    return figures, rows


def _app(engine: Engine) -> Flask:
    return create_app(intro_config.load(environ={"INTRO_SERVICE_ADDRESS": SERVICE}), engine)


@pytest.mark.parametrize("order", ["as made", "newest first", "shuffled"])
def test_the_growth_of_a_campaign_of_known_shape(engine: Engine, order: str) -> None:
    """Chains, a tree, two cycles, people introduced twice before they began and after:
    the same figures whatever order the mail arrives in (an import of an old mailbox)."""
    sequence = list(range(len(SHAPE)))
    if order == "newest first":
        sequence.reverse()
    elif order == "shuffled":
        random.Random(14).shuffle(sequence)
    _record(engine, sequence)
    assert _growth(_app(engine)) == _expected()
    people = _who_brought_whom(engine)
    assert people["r2"] == (0, None, 2)  # introduced by c1 after beginning: still where it started
    assert people["r6"] == (0, None, 1)  # never joined, never introduced: a root too
    assert people["r1"] == (0, None, 6)  # a1, t1..t4 and e1
    assert people["a2"] == (1, "r2", 1)  # introduced by b2 after beginning: no lower
    assert people["e3"] == (1, "r3", 0)  # introduced by c3 (generation 3), then by r3: the smaller counts
    assert people["g3"] == (4, "c3", 0)  # introduced by r3 only after beginning
    assert (people["b1"], people["c1"]) == ((2, "a1", 1), (3, "b1", 1))  # a chain; c1 brought in g1 only
    assert "b6" not in people and "d1" not in people  # introduced, never introducing
    kept = _kept(engine)
    with transaction(engine, write=True) as s:
        counts.recount(s, s.scalars(select(Campaign.id)).one())
    assert _kept(engine) == kept  # kept on write, in any order, as a recount finds them


def test_the_migration_finds_the_growth_of_what_was_recorded(engine: Engine) -> None:
    _record(engine, list(range(len(SHAPE))))
    kept = _kept(engine)
    schema.downgrade(engine, "0013")
    schema.upgrade(engine)
    assert _kept(engine) == kept
    assert _growth(_app(engine)) == _expected()


def test_no_figure_under_five_people_is_shown(engine: Engine) -> None:
    app = seeded_app(engine)  # two introducers, neither introduced first, in January and March
    assert _growth(app) == {"suppressed_below": 5, "generations": [{"generation": 0, "people": None}],
                            "introducers_by_month": [{"month": f"2026-0{m}", "new": None, "total": None}
                                                     for m in (1, 2, 3)],
                            "branching": None}
    html = app.test_client().get("/?campaign=2026").text
    growth = html[html.index('<section aria-labelledby="growth">'):]
    growth = growth[:growth.index("</section>")]
    assert "generation 0, fewer than 5" in growth and "<td>fewer than 5</td>" in growth
    assert "<td>0</td>" not in growth and "<td>1</td>" not in growth and "<td>2</td>" not in growth
    assert "not shown while fewer than 5 people" in growth


def test_five_people_are_shown_and_four_are_not(engine: Engine) -> None:
    with transaction(engine, write=True) as s:
        campaign = campaign_id_for(s, 2026, "15")
        for n in range(4):
            counts.introduction_added(s, campaign, person_id_for(s, Address(f"p{n}@example.org")),
                                      datetime(2026, 2, 1 + n, tzinfo=UTC), [])
    app = _app(engine)
    assert _growth(app)["generations"] == [{"generation": 0, "people": None}]
    assert _growth(app)["introducers_by_month"] == [{"month": "2026-01", "new": None, "total": None},
                                                    {"month": "2026-02", "new": None, "total": None}]
    with transaction(engine, write=True) as s:
        counts.introduction_added(s, campaign, person_id_for(s, Address("p4@example.org")),
                                  datetime(2026, 2, 9, tzinfo=UTC), [])
    assert _growth(app)["generations"] == [{"generation": 0, "people": 5}]
    assert _growth(app)["introducers_by_month"][1] == {"month": "2026-02", "new": 5, "total": 5}
    html = app.test_client().get("/?campaign=2026").text
    assert "generation 0, 5" in html and "<td>5</td>" in html


def test_the_page_draws_the_growth(engine: Engine) -> None:
    _record(engine, list(range(len(SHAPE))))
    html = _app(engine).test_client().get("/?campaign=2026").text
    growth = html[html.index('<section aria-labelledby="growth">'):]
    growth = growth[:growth.index("</section>")]
    assert "<b>1.43</b> new introducers brought in by each introducer who brought any in" in growth
    assert ("Introducers by generation in 2026: generation 0, 6; generation 1, 15; generation 2, 5; "
            "generation 3, 5; generation 4, 5</title>") in growth
    assert "Introducers per month in 2026: Jan 6, 6 new; Feb 6, 6 new; Mar 9, 9 new; Apr 10, 5 new; May 15, 10 new" \
        in growth
    assert growth.count("<rect") == 5 + 5 * 2  # a bar a generation; all and new a month
    assert "<th scope=\"row\">Apr</th><td>5</td><td>10</td>" in growth
    for secret in ("Test", "Contact", "example.org", "example.net"):
        assert secret not in growth
