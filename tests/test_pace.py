"""The weekly pace note, as an operator runs it: `intro demo seed --pace-notes`, then
`intro followups run --now` on the chosen day, mail to a real SMTP sink; pausing and
stopping through the pages the note links to."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from intro import config as intro_config
from intro.db import make_engine, transaction
from intro.models import Campaign, IntroducerCount, Participant, Person
from intro.pace import pace, week_of
from tests.conftest import free_port
from tests.helpers import environ, run_intro
from tests.loop_helpers import SERVICE, Sink
from web import create_app

MONDAY = datetime(2025, 12, 15, 9, tzinfo=UTC)  # a campaign year seeded whole: its pace is fixed


def test_the_pace_is_the_goal_spread_over_the_year() -> None:
    assert pace(15, 2026, datetime(2026, 1, 1, tzinfo=UTC)) == 0
    assert pace(15, 2026, datetime(2026, 7, 2, 12, tzinfo=UTC)) == 7  # half the year: 7.5, whole ones
    assert pace(15, 2026, datetime(2026, 12, 31, 23, tzinfo=UTC)) == 14
    assert pace(15, 2026, datetime(2027, 3, 1, tzinfo=UTC)) == 15
    assert pace(15, 2026, datetime(2025, 3, 1, tzinfo=UTC)) == 0
    assert pace(26, 2026, datetime(2026, 12, 15, 9, tzinfo=UTC)) == 24  # 24.8
    assert week_of(datetime(2025, 12, 17, tzinfo=UTC)).isoformat() == "2025-12-15"


def counts(engine: Engine) -> dict[str, int]:
    """Each participant of the 2025 campaign: their address and introductions made."""
    with transaction(engine) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.year == 2025)).one()
        rows = s.execute(select(Person.email, IntroducerCount.count).select_from(Participant)
                         .join(Person, Person.id == Participant.person_id)
                         .outerjoin(IntroducerCount, (IntroducerCount.person_id == Person.id)
                                    & (IntroducerCount.campaign_id == campaign.id))
                         .where(Participant.campaign_id == campaign.id)).all()
    return {email: n or 0 for email, n in rows}


def followups_run(tmp_path: Path, env: dict[str, str], now: datetime) -> int:
    done = run_intro("followups", "run", "--now", now.isoformat(), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    match = re.search(r"sent 0, .*pace notes (\d+), mails about asks 0$", done.stdout.strip())
    assert match, done.stdout  # nothing else is due in a seeded campaign
    return int(match[1])


def test_the_note_goes_to_exactly_those_behind_once_a_week(tmp_path: Path, db_url: str,
                                                            sink: tuple[Sink, int]) -> None:
    handler, port = sink
    env = environ(INTRO_DATABASE_URL=db_url, INTRO_SERVICE_ADDRESS=SERVICE, INTRO_RELAY_HOST="127.0.0.1",
                  INTRO_RELAY_PORT=str(port), INTRO_RELAY_SECURITY="none", INTRO_CAMPAIGN_PACE_NOTE="monday",
                  INTRO_BASE_URL="https://intro.example.org")
    assert run_intro("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    seeded = run_intro("demo", "seed", "--intros", "160", "--participants", "12", "--year", "2025", "--pace-notes",
                       cwd=tmp_path, env=env)
    assert seeded.returncode == 0, seeded.stderr
    behind_today = int(re.search(r"behind the pace today: (\d+) of", seeded.stdout)[1])  # type: ignore[index]
    engine = make_engine(db_url)
    made = counts(engine)
    on_pace = 14  # 15 a year, on 15 December
    behind = {email for email, n in made.items() if n < on_pace}
    assert 0 < len(behind) < len(made) and behind_today == len(behind)  # the whole year is past: same pace

    # Not on a Tuesday; on the Monday, one note to each one behind; again that day, none.
    assert followups_run(tmp_path, env, MONDAY + timedelta(days=1)) == 0
    assert followups_run(tmp_path, env, MONDAY) == len(behind)
    assert sorted(rcpt for _, [rcpt], _ in handler.received) == sorted(behind)
    assert followups_run(tmp_path, env, MONDAY + timedelta(hours=6)) == 0
    assert len(handler.received) == len(behind)

    # What one says: where they stand, the pace, the team, how to log one, the way out.
    sender, [rcpt], message = handler.received[0]
    text = " ".join(message.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    team = sum(made.values())
    assert f"You have made {made[rcpt]} introduction" in text and f"on pace you would be at {on_pace}" in text
    assert f"The team is at {team} of {12 * 15}" in text and f"copy {SERVICE}" in text
    assert str(message["Subject"]).startswith(f"{made[rcpt]} of 15 so far in 2025")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and sender.startswith("intro+b-")
    links = dict(re.findall(r"https://intro\.example\.org(/pace/[^\s?]+)\?do=(pause|stop)", text)[::-1])
    assert len(set(links.values())) == 1  # the same page, with the choice first

    # Three of them choose: one pauses for a month and one stops, on the page (GET shows,
    # POST records); one stops all mail.
    pauser, stopper, leaver, *rest = sorted(behind)
    config = intro_config.load(environ={k: v for k, v in env.items() if k.startswith("INTRO_")})
    app = create_app(config, engine)
    for who, choice in ((pauser, "pause"), (stopper, "stop")):
        mail = next(m for _, [r], m in handler.received if r == who)
        body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        path = re.search(rf"https://intro\.example\.org(/pace/[^\s?]+)\?do={choice}", body)[1]  # type: ignore[index]
        client = app.test_client()
        page = client.get(f"{path}?do={choice}")
        assert page.status_code == 200 and "Nothing changes until you press a button" in " ".join(page.text.split())
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
        done = client.post(path, data={"csrf_token": csrf, "do": choice})
        assert done.status_code == 200
        assert ("Paused for a month" if choice == "pause" else "No more pace notes") in done.text
    with transaction(engine, write=True) as s:
        s.execute(update(Person).where(Person.email == leaver).values(opted_out_at=MONDAY))

    # The next Monday: those still behind, but not those three.
    received = len(handler.received)
    assert followups_run(tmp_path, env, MONDAY + timedelta(days=7)) == len(rest)
    assert sorted(rcpt for _, [rcpt], _ in handler.received[received:]) == sorted(rest)
    engine.dispose()


def test_a_bad_pace_link_changes_nothing(engine: Engine) -> None:
    config = intro_config.load(environ={"INTRO_SMTP_PORT": str(free_port())})
    client = create_app(config, engine).test_client()
    assert client.get("/pace/not-a-token").status_code == 404
    assert client.post("/pace/not-a-token", data={"do": "stop"}).status_code == 400  # no form token


@pytest.mark.parametrize("day", ["off", "someday"])
def test_the_day_is_a_weekday_or_off(day: str) -> None:
    if day == "off":
        assert intro_config.load(environ={"INTRO_CAMPAIGN_PACE_NOTE": day}).campaign.pace_note == "off"
    else:
        with pytest.raises(Exception, match="INTRO_CAMPAIGN_PACE_NOTE"):
            intro_config.load(environ={"INTRO_CAMPAIGN_PACE_NOTE": day})
