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
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
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


ASK = "intro+ask@tally.example"  # the address an introducer copies to ask first
SAM, LEE, DANA = "Sam Rivera <sam@example.com>", "Lee Park <lee@example.org>", "Dana Reyes <dana@example.net>"
KIM, OLA = "Kim Novak <kim@example.org>", "Ola Berg <ola@example.net>"


def test_asking_first_answering_and_sending_the_introduction(site: tuple[str, dict[str, str], Path]) -> None:
    """Asking first (double opt-in), as the people in it meet it: an ask copying intro+ask@
    mails nobody and counts nothing; a yes by reply-all brings the introducer "said yes"
    with its link; the page's words, changed, go to both people in one mail, counted as
    the introducer's. A second ask, answered unclearly, brings the note with the buttons at
    once; its "No, thank you" reaches only the introducer, and the other person is never
    mailed."""
    url, env, folder = site
    outbox = folder / "outbox"
    smtp = int(env["INTRO_SMTP_PORT"])
    assert _stats(folder, env)["introductions"] == 90  # the seeded campaign

    # 1. Sam asks Lee about Dana: recorded, nobody mailed, nothing counted.
    ask = _ask_mail(SAM, LEE, "Would you like to meet Dana?",
                    f"Hi Lee,\n\nwould you like to meet {DANA}? She runs the bakery co-op on Elm Street and is "
                    "looking for a bookkeeper.\n\nSam\n")
    _deliver(smtp, ask, folder, env)
    assert _stats(folder, env)["introductions"] == 90
    assert not _ask_files(outbox)  # and still none but "said yes" once the scheduler has run, below

    # 2. Lee answers by reply-all; Sam gets "said yes" with the link to send the introduction.
    _deliver(smtp, _ask_mail(LEE, SAM, "Re: Would you like to meet Dana?",
                             "Yes, happy to! Thanks for thinking of me.\n\nLee\n", replying_to=ask), folder, env)
    envelope, said_yes = _outbox_mail(outbox, "ask-yes")
    assert envelope == "<sam@example.com>" and said_yes["Subject"] == "Lee Park said yes: introduce them to Dana Reyes"
    assert [p.name.split(".")[0] for p in _ask_files(outbox)] == ["ask-yes"]  # nothing to Lee or Dana
    send = re.search(r"(http://\S+/c/send/\S+)", said_yes.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert send is not None
    assert _stats(folder, env)["introductions"] == 90  # a yes is not an introduction yet
    words = "Lee, meet Dana: she runs the bakery co-op.\nDana, meet Lee: the bookkeeper I mentioned.\n\nSam"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        tally = f"{url}/?campaign={datetime.now(UTC).year}"  # an introduction made now counts in this year's
        page.goto(tally)
        logged = int(page.inner_text(".total li:first-child b"))
        page.goto(send.group(1))
        assert "Send the introduction" in page.inner_text("h1")
        assert "Lee, meet Dana Reyes. Dana, meet Lee Park." in page.input_value("#body")
        assert page.input_value("#subject") == "Introduction: Lee Park and Dana Reyes"
        assert _stats(folder, env)["introductions"] == 90  # opening the link sends nothing
        assert not any(outbox.glob("introduction.*.eml"))
        page.fill("#subject", "Lee, meet Dana")
        page.fill("#body", words)
        page.get_by_role("button", name="Send the introduction").click()
        page.wait_for_load_state()
        assert "The introduction is on its way" in page.inner_text("h1")

        envelope, introduction = _outbox_mail(outbox, "introduction")
        assert sorted(envelope.split(", ")) == ["<dana@example.net>", "<lee@example.org>"]  # one mail to both
        assert introduction["From"] == "Sam Rivera via intro <intro@tally.example>"
        assert introduction["Subject"] == "Lee, meet Dana"
        assert "lee@example.org" in introduction["To"] and "dana@example.net" in introduction["To"]
        assert "sam@example.com" in introduction["Reply-To"]  # a reply goes to both and to Sam
        text = introduction.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Dana, meet Lee: the bookkeeper I mentioned." in text
        assert _stats(folder, env)["introductions"] == 91  # counted, as Sam's
        page.goto(tally)
        assert int(page.inner_text(".total li:first-child b")) == logged + 1
        figures = page.inner_text(".total")
        page.goto(send.group(1))  # the link again: made already
        assert "Introduced already" in page.inner_text("h1")

        # 3. Sam asks Kim about Ola; Kim's reply is unclear: the note with the buttons goes now.
        second = _ask_mail(SAM, KIM, "Would you like to meet Ola?",
                           f"Hi Kim,\n\nwould you like to meet {OLA}? She is moving to town and looking for a "
                           "climbing partner.\n\nSam\n")
        _deliver(smtp, second, folder, env)
        _deliver(smtp, _ask_mail(KIM, SAM, "Re: Would you like to meet Ola?", "Who is she, remind me?",
                                 replying_to=second), folder, env)
        envelope, note = _outbox_mail(outbox, "ask-nudge")
        assert envelope == "<kim@example.org>"
        assert note["Subject"] == "Sam Rivera asks: would you like to meet Ola Berg?"
        no = re.search(r"(http://\S+/c/\S+\?answer=no)\b", note.get_body(("plain",)).get_content())  # type: ignore
        assert no is not None
        page.goto(no.group(1))
        assert "Would you like to meet Ola Berg?" in page.inner_text("h1")
        assert not any(outbox.glob("ask-declined.*.eml"))  # opening the link records nothing
        page.get_by_role("button", name="No, thank you").click()
        page.wait_for_load_state()
        assert "not this time" in page.inner_text("h1")
        assert "was never told" in page.inner_text("main")
        page.goto(tally)
        assert page.inner_text(".total") == figures  # an ask, answered or not, shows nowhere
        browser.close()

    envelope, declined = _outbox_mail(outbox, "ask-declined")
    assert envelope == "<sam@example.com>" and declined["Subject"] == "Not this time: Kim Novak and Ola Berg"
    # Ola was never mailed, nor Dana but by the introduction; the second ask counted nothing.
    to = {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["X-Envelope-To"]
          for p in outbox.glob("*.eml")}
    assert not [name for name, rcpts in to.items() if "ola@example.net" in str(rcpts)]
    assert [name.split(".")[0] for name, rcpts in to.items() if "dana@example.net" in str(rcpts)] == ["introduction"]
    assert sorted(p.name.split(".")[0] for p in _ask_files(outbox)) == ["ask-declined", "ask-nudge", "ask-yes",
                                                                        "introduction"]
    assert _stats(folder, env)["introductions"] == 91


def _stats(folder: Path, env: dict[str, str]) -> dict[str, int]:
    figures: dict[str, int] = json.loads(run_intro("stats", "--json", cwd=folder, env=env).stdout)
    return figures


def _ask_mail(sender: str, to: str, subject: str, text: str, replying_to: EmailMessage | None = None) -> EmailMessage:
    """A mail as a person writes it, copying intro+ask@ (an ask, or a reply-all to one)."""
    message = EmailMessage()
    message["From"], message["To"], message["Cc"], message["Subject"] = sender, to, ASK, subject
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2].rstrip(">"))
    if replying_to is not None:
        message["In-Reply-To"] = message["References"] = str(replying_to["Message-ID"])
    message.set_content(text)
    return message


def _deliver(smtp: int, message: EmailMessage, folder: Path, env: dict[str, str]) -> None:
    """Over SMTP to intro+ask@, then until the service has processed it."""
    stored = _stats(folder, env)["messages"]
    sender = re.search(r"<(.+)>", str(message["From"]))
    assert sender is not None
    with smtplib.SMTP("127.0.0.1", smtp) as client:
        client.send_message(message, from_addr=sender.group(1), to_addrs=[ASK])

    def processed() -> bool:
        now = _stats(folder, env)
        return now["messages"] == stored + 1 and now["messages_unprocessed"] == 0

    _wait(processed, f"{message['Subject']!r} was not processed")
    assert _stats(folder, env)["messages_failed"] == 0


def _ask_files(outbox: Path) -> list[Path]:
    """The mails about asks in the outbox, and the introductions sent for them."""
    if not outbox.exists():
        return []
    return sorted([*outbox.glob("ask-*.eml"), *outbox.glob("introduction.*.eml")])


def _outbox_mail(outbox: Path, kind: str) -> tuple[str, email.message.EmailMessage]:
    """The one mail of ``kind`` the scheduler writes to the outbox, once it has, with its
    envelope recipients as the outbox writes them ("<a>, <b>")."""
    _wait(lambda: outbox.exists() and any(outbox.glob(f"{kind}.*.eml")), f"no {kind} mail was written")
    [found] = outbox.glob(f"{kind}.*.eml")
    mail = email.message_from_bytes(found.read_bytes(), policy=email.policy.default)
    return str(mail["X-Envelope-To"]), mail  # type: ignore[return-value]
