"""The public tally page, through Flask's test client, on each database."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Engine, select, update

from intro import config as intro_config
from intro.campaigns import join
from intro.db import transaction
from intro.models import Campaign, Person
from intro.tallies import tallies
from tests.seed import seeded_app
from web import create_app, figures


@pytest.fixture
def app(engine: Engine) -> Flask:
    return seeded_app(engine)


def test_the_campaign_at_a_glance(app: Flask) -> None:
    page = app.test_client().get("/?campaign=2026")
    assert page.status_code == 200
    html = page.text
    assert "<h1>15 in 2026</h1>" in html
    assert "<strong>3</strong> of 30 introductions" in html  # team total against participants x goal
    assert 'aria-label="Sam Carter: 2 of 15"' in html and "2 / 15" in html
    assert "<b>6</b> people connected" in html and "<b>1</b> helped (50% of answers)" in html
    assert "<title id=\"chart-title\">Introductions per month in 2026: Jan 1, Feb 0, Mar 2," in html


def test_the_front_page_shows_this_years_or_the_latest_campaign(app: Flask) -> None:
    assert "<h1>15 in 2026</h1>" in app.test_client().get("/").text


def test_no_one_introduced_is_ever_named(app: Flask) -> None:
    html = app.test_client().get("/?campaign=2026").text
    for secret in ("Dana", "dana@", "Lee Park", "kim@", "Anna", "Okafor", "Chlo"):
        assert secret not in html
    assert "Jürgen" not in html  # a participant who chose not to be listed


def test_hostile_names_are_text(engine: Engine) -> None:
    app = seeded_app(engine)
    with transaction(engine, write=True) as s:
        sam = Person.email == "sam@example.com"
        s.execute(update(Person).where(sam).values(display_name="<script>alert(1)</script>"))
    html = app.test_client().get("/?campaign=2026").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_year_without_a_campaign_is_404_with_a_way_back(app: Flask) -> None:
    page = app.test_client().get("/?campaign=1999")
    assert page.status_code == 404 and "No campaign for 1999" in page.text and 'href="/"' in page.text


def test_before_the_first_introduction(engine: Engine) -> None:
    page = create_app(intro_config.load(environ={}), engine).test_client().get("/")
    assert page.status_code == 200 and "No introductions yet" in page.text and "intro@localhost" in page.text


def test_the_page_makes_no_outside_requests(app: Flask) -> None:
    page = app.test_client().get("/?campaign=2026")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    for outside in ("<script", "src=\"http", "href=\"http", "@import", "<link"):
        assert outside not in page.text


def test_figures_are_counted_again_only_after_a_change(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    client = seeded_app(engine).test_client()
    counted = []
    monkeypatch.setattr(figures, "tallies", lambda session, year: counted.append(year) or tallies(session, year))
    for _ in range(3):
        assert client.get("/api/tallies?campaign=2026").get_json()["participants"] == 2
        assert "<strong>3</strong> of 30 introductions" in client.get("/?campaign=2026").text
    assert counted == [2026]  # once, for the page and the API alike
    with transaction(engine, write=True) as s:  # a change, as another process or node would write it
        lee = s.scalars(select(Person.id).where(Person.email == "lee@example.org")).one()
        join(s, lee, s.scalars(select(Campaign.id)).one())
    assert client.get("/api/tallies?campaign=2026").get_json()["participants"] == 3  # exact at once
    assert "<strong>3</strong> of 45 introductions" in client.get("/?campaign=2026").text
    assert counted == [2026, 2026]


def test_the_pages_own_style_comes_after_the_sites(app: Flask) -> None:
    """A page's own rules (the tally's wider body) must win over the site's: they come later."""
    from web import TEMPLATES
    base = (TEMPLATES / "base.html").read_text()
    assert base.index("</style>") < base.index("{% block head %}")
    html = app.test_client().get("/?campaign=2026").text
    assert html.index("max-width: 40rem") < html.index("max-width: 46rem")


def test_one_introduction_is_singular_and_the_others_are_explained(engine: Engine) -> None:
    from datetime import UTC, datetime

    from intro.addresses import Address
    from intro.campaigns import campaign_id_for
    from intro.counts import introduction_added
    from intro.people import person_id_for

    app = create_app(intro_config.load(environ={"INTRO_SERVICE_ADDRESS": "intro@tally.example"}), engine)
    with transaction(engine, write=True) as s:
        campaign = campaign_id_for(s, 2026, "15")
        sam = person_id_for(s, Address("sam@example.com", "Sam"))
        join(s, sam, campaign)
        introduction_added(s, campaign, sam, datetime(2026, 3, 3, tzinfo=UTC), [])
    html = app.test_client().get("/?campaign=2026").text
    assert "<b>1</b> introduction logged" in html and ": 1 introduction</title>" in html
    assert "have not joined" not in html
    with transaction(engine, write=True) as s:
        introduction_added(s, campaign, person_id_for(s, Address("kim@example.org")),
                           datetime(2026, 3, 4, tzinfo=UTC), [])
    html = create_app(intro_config.load(environ={"INTRO_SERVICE_ADDRESS": "intro@tally.example"}),
                      engine).test_client().get("/?campaign=2026").text
    assert "<b>2</b> introductions logged" in html and "<strong>1</strong> of 15 introductions" in html
    assert "1 of those logged was made by people who have not joined" in html
    assert "with one reminder" in html and "asked once" not in html
