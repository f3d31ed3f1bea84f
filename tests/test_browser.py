"""End to end in a real headless browser (Debian's Chromium driven by Playwright): the
public page of a seeded campaign, then a follow-up's link, answered as a person would."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import signal
import smtplib
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.smtp_helpers import load

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's notes advise: without these, Chromium tries the network at every start.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

playwright = pytest.importorskip("playwright.sync_api", reason="a test dependency: pip install -e '.[test]'")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """`intro serve` on a seeded campaign, with outgoing mail written to the outbox."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    smtp, web = free_port(), free_port()
    env = environ(INTRO_SMTP_PORT=str(smtp), INTRO_WEB_PORT=str(web), INTRO_BASE_URL=f"http://127.0.0.1:{web}",
                  INTRO_SERVICE_ADDRESS="intro@tally.example", INTRO_FOLLOWUP_MAX_AGE="3650d",
                  INTRO_TRUST_ON_NONE="accept")  # unsigned test mail counts at once
    seeded = run_intro("demo", "seed", "--intros", "90", "--participants", "6", "--year", "2026", cwd=tmp_path, env=env)
    assert seeded.returncode == 0, seeded.stderr
    proc = subprocess.Popen([*intro_command(), "serve"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(web, proc=proc)
        wait_for_port(smtp, proc=proc)
        yield f"http://127.0.0.1:{web}", env, tmp_path
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_the_public_page_and_answering_a_follow_up(site: tuple[str, dict[str, str], Path]) -> None:
    url, env, folder = site
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{url}/?campaign=2026")
        assert page.inner_text("h1") == "15 in 2026"
        assert "90" in page.inner_text(".total li:first-child")
        bars = page.locator(".people progress")
        assert 1 <= bars.count() <= 6  # the listed participants
        first = bars.first
        assert int(first.get_attribute("max") or 0) == 15
        assert re.fullmatch(r".+: \d+ of 15", first.get_attribute("aria-label") or "")
        assert page.locator("section[aria-labelledby=months] svg[role=img] rect").count() == 12
        growth = page.locator("section[aria-labelledby=growth]")
        assert growth.locator("svg[role=img]").count() == 2  # by generation, by month
        assert "Generation 0" in (growth.locator("svg").first.text_content() or "")  # six, none introduced first

        # An introduction arrives; its follow-ups go out (to the outbox); a person answers.
        smtp = int(env["INTRO_SMTP_PORT"])
        with smtplib.SMTP("127.0.0.1", smtp) as client:
            client.sendmail("sam@example.com", ["intro@tally.example"], load("plain_introduction.eml"))
        mail = _wait_for_followup(folder, env)
        html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
        link = re.search(r'href="([^"]+\?answer=helped)"', html)
        assert link is not None
        before = json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["answers"]

        page.goto(link.group(1).replace("&amp;", "&"))
        assert page.is_checked("input[value=helped]")  # preselected; nothing recorded by the visit
        assert json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["answers"] == before
        page.fill("textarea[name=comment]", "We are starting a project together.")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "Thank" in page.inner_text("main")
        assert json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["answers"] == before + 1
        browser.close()


def _wait_for_followup(folder: Path, env: dict[str, str]) -> email.message.EmailMessage:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run_intro("followups", "run", cwd=folder, env=env)
        found = sorted((folder / "outbox").glob("followup.*.eml")) if (folder / "outbox").exists() else []
        for path in found:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if "dana@example.net" in str(message["To"]):
                return message  # type: ignore[return-value]
        time.sleep(0.5)
    raise AssertionError("no follow-up was written to the outbox")


def test_signing_in_by_a_mailed_link_and_seeing_ones_introductions(site: tuple[str, dict[str, str], Path]) -> None:
    """Through `intro serve` as a user meets it: the form, the mail (sent by the scheduler
    within seconds, here to the outbox), the link, the button, the personal page."""
    url, env, folder = site
    with smtplib.SMTP("127.0.0.1", int(env["INTRO_SMTP_PORT"])) as client:
        client.sendmail("sam@example.com", ["intro@tally.example"], load("plain_introduction.eml"))
    _wait(lambda: json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["introductions"] == 91,
          "the introduction was not recorded")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{url}/")
        page.click("text=Sign in")
        page.fill("input[name=email]", "Sam@example.com")
        page.click("button[type=submit]")
        assert "a sign-in link is on its way" in page.inner_text("main")
        outbox = folder / "outbox"
        _wait(lambda: outbox.exists() and any(outbox.glob("sign_in.*.eml")), "no sign-in link was mailed")
        [path] = outbox.glob("sign_in.*.eml")
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        link = re.search(r"(http://\S+/sign-in/\S+)", mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert link is not None
        page.goto(link.group(1))
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/me")
        text = page.inner_text("main")
        assert "Signed in as sam@example.com" in text and "Dana Reyes" in text and "Dana, meet Lee" in text
        assert "1 of 15 introductions" in text
        page.goto(link.group(1))  # the link again: used
        assert "This link has been used" in page.inner_text("main")
        browser.close()


def _wait(done: Callable[[], bool], failure: str, seconds: float = 60) -> None:
    """Until ``done()``: a generous deadline for a condition, never a measured time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    raise AssertionError(failure)


def test_a_miss_is_asked_about_and_logged_in_the_browser(site: tuple[str, dict[str, str], Path]) -> None:
    """No silent misses, as a user meets it: a message to two people that copies the
    service but is not recognised; the question by mail (to the outbox); the page; the
    people ticked; "Log it"; the introduction counts."""
    url, env, folder = site
    with smtplib.SMTP("127.0.0.1", int(env["INTRO_SMTP_PORT"])) as client:
        client.sendmail("sam@example.com", ["intro@tally.example"], load("miss_no_words.eml"))
    outbox = folder / "outbox"

    def asked() -> bool:
        run_intro("followups", "run", cwd=folder, env=env)
        return outbox.exists() and any(outbox.glob("question.*.eml"))

    _wait(asked, "no question was mailed")
    [path] = outbox.glob("question.*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    link = re.search(r"(http://\S+/q/\S+\?choice=log)", mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert link is not None
    before = json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(link.group(1))
        assert "Was it an introduction?" in page.inner_text("h1")
        assert json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout) == before  # opening: nothing
        page.check("input[value='dana@example.net']")
        page.check("input[value='lee@example.org']")
        page.click("button[value=log]")
        page.wait_for_load_state()
        assert "Logged" in page.inner_text("h1")
        page.goto(link.group(1))  # again: answered already, nothing more to press
        assert "answered already" in page.inner_text("main")
        browser.close()
    after = json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)
    assert after["introductions"] == before["introductions"] + 1
    assert after["introductions_confirmed"] == before["introductions_confirmed"] + 1


def test_adding_an_address_and_its_introductions_counting(site: tuple[str, dict[str, str], Path]) -> None:
    """One person, several addresses, as a user meets it: the form on one's page, the
    link mailed to the new address (to the outbox), its button, and an introduction made
    from that address counting with the others."""
    url, env, folder = site
    smtp = int(env["INTRO_SMTP_PORT"])
    with smtplib.SMTP("127.0.0.1", smtp) as client:
        client.sendmail("sam@example.com", ["intro@tally.example"], load("plain_introduction.eml"))
    _wait(lambda: json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["introductions"] == 91,
          "the introduction was not recorded")
    outbox = folder / "outbox"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{url}/sign-in")
        page.fill("input[name=email]", "sam@example.com")
        page.click("button[type=submit]")
        page.goto(_mailed_link(outbox, "sign_in", "sign-in"))
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/me")
        assert "1 of 15 introductions" in page.inner_text("main")

        page.fill("input#new-address", "Sam@Work.Example")
        page.click("text=Add this address")
        assert "A link to confirm it is on its way to sam@work.example" in page.inner_text("#addresses ~ p.notice")
        link = _mailed_link(outbox, "address", "address")
        page.goto(link)
        assert "Add this address" in page.inner_text("h1")  # opening it changes nothing; the button does
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/me\?added=1"))
        assert "sam@work.example" in page.inner_text("section[aria-labelledby=addresses] ul")

        raw = (load("plain_introduction.eml").replace(b"<intro-1@", b"<intro-work@")
               .replace(b"Sam Carter <sam@example.com>", b"Sam Carter <sam@work.example>")
               .replace(b"lee@example.org", b"kim@example.org"))
        with smtplib.SMTP("127.0.0.1", smtp) as client:
            client.sendmail("sam@work.example", ["intro@tally.example"], raw)
        _wait(lambda: json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)["introductions"] == 92,
              "the introduction from the added address was not recorded")
        page.goto(f"{url}/me")
        assert "2 of 15 introductions" in page.inner_text("main")  # made at either address: one person's
        browser.close()


def _mailed_link(outbox: Path, kind: str, path: str) -> str:
    """The link in the one mail of ``kind`` the scheduler wrote to the outbox."""
    _wait(lambda: outbox.exists() and any(outbox.glob(f"{kind}.*.eml")), f"no {kind} link was mailed")
    [found] = outbox.glob(f"{kind}.*.eml")
    mail = email.message_from_bytes(found.read_bytes(), policy=email.policy.default)
    link = re.search(rf"(http://\S+/{path}/\S+)", mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert link is not None
    return link.group(1)
