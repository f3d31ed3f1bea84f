"""Screenshots for docs/: a seeded campaign's public tally page (desktop and phone width),
the join form, a participant's own page (its top, and its addresses), the pace note's
page, and asking first's two pages: the person asked answers, and after their yes the
introducer sends the introduction (phone width); served by `intro serve` and photographed
by Debian's Chromium (through Playwright).

    .venv/bin/python bench/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from growing import grow  # noqa: E402
from smtp_ingest import free_port, wait_for  # noqa: E402
from sqlalchemy import select  # noqa: E402

from intro import links, tokens  # noqa: E402
from intro.db import make_engine, transaction  # noqa: E402
from intro.models import ConsentAsk, IntroducerCount, Participant, Person  # noqa: E402
from intro.secret import secret_key  # noqa: E402
from intro.timeutil import utcnow  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    out = parser.parse_args().out
    intro = str(Path(sys.executable).parent / "intro")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("INTRO_")},
           "INTRO_WEB_PORT": str(port), "INTRO_SMTP_PORT": str(free_port()), "INTRO_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([intro, "demo", "seed", "--intros", "130", "--participants", "12", "--year", "2026",
                        "--pace-notes"],
                       cwd=folder, env=env, check=True, capture_output=True)
        grow(make_engine(f"sqlite:///{Path(folder) / 'intro.db'}"), 2026, starters=12)  # people introduced introduce
        server = subprocess.Popen([intro, "serve"], cwd=folder, env=env)
        try:
            wait_for(port)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                site = f"http://127.0.0.1:{port}"
                shots = (("tally-desktop", 1100, 1500, "/?campaign=2026"),
                         ("tally-phone", 390, 1900, "/?campaign=2026"), ("join-phone", 390, 900, "/join"))
                for name, width, height, path in shots:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(site + path)
                    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                    print(out / f"{name}.png")
                page = browser.new_page(viewport={"width": 390, "height": 1400})
                page.goto(site + sign_in_path(Path(folder) / "intro.db"))
                page.click("button[type=submit]")
                page.wait_for_url(f"{site}/me")
                page.screenshot(path=str(out / "me-phone.png"))  # the top: the list goes on for 42 introductions
                print(out / "me-phone.png")
                page.fill("#new-address", "sam@carter-studio.example")  # the form, and what it says once sent
                page.click("text=Add this address")
                box = page.locator("section[aria-labelledby=addresses]").bounding_box()  # from the page's top
                assert box is not None
                top = box["y"] + page.evaluate("window.scrollY")
                page.screenshot(path=str(out / "me-addresses-phone.png"), full_page=True,
                                clip={"x": 0, "y": top - 16, "width": 390, "height": box["height"] + 32})
                print(out / "me-addresses-phone.png")
                page = browser.new_page(viewport={"width": 390, "height": 700})
                page.goto(site + pace_path(Path(folder) / "intro.db"))  # from the weekly pace note
                page.screenshot(path=str(out / "pace-phone.png"), full_page=True)
                print(out / "pace-phone.png")
                database = Path(folder) / "intro.db"
                ask_id = ask(database, int(env["INTRO_SMTP_PORT"]))
                page = browser.new_page(viewport={"width": 390, "height": 700})
                page.goto(site + consent_path(database, tokens.CONSENT, ask_id) + "?answer=yes")  # the nudge's "yes"
                page.screenshot(path=str(out / "consent-phone.png"), full_page=True)
                print(out / "consent-phone.png")
                page.click("text=Yes, introduce us")  # the answer, as the person asked gives it
                page.wait_for_selector("text=you said yes")
                page = browser.new_page(viewport={"width": 390, "height": 700})
                page.goto(site + consent_path(database, tokens.CONSENT_SEND, ask_id))  # the yes mail's button
                page.screenshot(path=str(out / "consent-send-phone.png"), full_page=True)
                print(out / "consent-send-phone.png")
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def sign_in_path(database: Path) -> str:
    """A sign-in link for the seeded participant with the most introductions, made as the
    service makes one (the mail itself is not needed for a picture)."""
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine, write=True) as session:
        email = session.scalar(select(Person.email).join(IntroducerCount, IntroducerCount.person_id == Person.id)
                               .order_by(IntroducerCount.count.desc()).limit(1))
        link_id = links.request_sign_in(session, str(email), utcnow())
    assert link_id is not None
    return f"/sign-in/{tokens.make(secret_key(engine, ''), tokens.SIGN_IN, link_id)}"


def pace_path(database: Path) -> str:
    """The page the weekly pace note's "pause" link opens, for the first participant."""
    engine = make_engine(f"sqlite:///{database}")
    with transaction(engine) as session:
        participant_id = session.scalar(select(Participant.id).order_by(Participant.id).limit(1))
    assert participant_id is not None
    return f"/pace/{tokens.make(secret_key(engine, ''), tokens.PACE, participant_id)}?do=pause"


def ask(database: Path, smtp_port: int) -> int:
    """Sam asks Lee first whether Lee would like to meet Dana, copying intro+ask@, over SMTP
    to the running server as a mail client would; the ask's id once the server has read it."""
    message = EmailMessage()
    message["From"] = "Sam Carter <sam.carter@example.org>"
    message["To"] = "Lee Park <lee.park@example.org>"
    message["Cc"] = "intro+ask@localhost"  # the service's address is intro@localhost unless configured
    message["Subject"] = "Would you like to meet Dana?"
    message["Message-ID"] = message_id = make_msgid(domain="example.org")
    message.set_content("Hi Lee,\n\nwould you like to meet Dana Reyes <dana.reyes@example.org>? She runs the bakery "
                        "co-op on Elm Street and is looking for a bookkeeper.\n\nSam\n")
    with smtplib.SMTP("127.0.0.1", smtp_port) as client:
        client.send_message(message, to_addrs=["intro+ask@localhost"])  # the envelope: only the service
    engine = make_engine(f"sqlite:///{database}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with transaction(engine) as session:
            ask_id = session.scalar(select(ConsentAsk.id).where(ConsentAsk.message_id == message_id.strip("<>")))
        if ask_id is not None:
            return ask_id
        time.sleep(0.2)
    raise SystemExit("the server did not record the ask within a minute")


def consent_path(database: Path, purpose: str, ask_id: int) -> str:
    """The page an ask's mails link to: the person asked answers (tokens.CONSENT), or the
    introducer sends the introduction (tokens.CONSENT_SEND)."""
    engine = make_engine(f"sqlite:///{database}")
    page = "/c/send" if purpose == tokens.CONSENT_SEND else "/c"
    return f"{page}/{tokens.make(secret_key(engine, ''), purpose, ask_id)}"


if __name__ == "__main__":
    main()

