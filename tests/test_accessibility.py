"""Accessible by test: every page of the site, in each of its states that a person meets,
and every HTML mail, checked by axe-core's WCAG 2.1 A and AA rules in Debian's Chromium
(through Playwright); the answer flow done with the keyboard alone; and the mails' lang,
text alternatives and layout-only tables.

axe-core is Deque's own package from the npm registry, pinned to an exact version and
installed by .ci/run into .ci/node/ (which git ignores); each page loads it from that file,
never from the network. The PyPI packages that ship an axe.min.js are third-party
wrappers, each vendoring a copy on its own schedule; the npm package is the engine as
released. In a clone where .ci/run has not run, these tests skip and say how to get it.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from intro.languages import LANGUAGES
from mailer.render import (
    BUILTIN_DIR,
    Rendered,
    Renderer,
    render_asked,
    render_link,
    render_notice,
    render_pace,
    render_question,
    render_webhook_note,
)
from tests.conftest import free_port
from tests.helpers import environ, intro_command, run_intro, wait_for_port
from tests.smtp_helpers import load
from tests.test_browser import CHROMIUM, FLAGS, KIM, OLA, SAM, _ask_mail, _deliver, _wait

playwright = pytest.importorskip("playwright.sync_api", reason="a test dependency: pip install -e '.[test]'")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import render_samples  # noqa: E402
from screenshots import pace_path  # noqa: E402

AXE = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.1 level AA: its A and AA rules
ORGANIZER = "sam@example.com"
ROSA, KOFI = "Rosa Costa <rosa@example.org>", "Kofi Mensah <kofi@example.net>"


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE.relative_to(REPO)}: .ci/run installs it "
                    "(npm install --no-save --prefix .ci/node axe-core@<the version .ci/run pins>)")
    return AXE


def check(page: Any, what: str) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on ``page`` as it is now, one line each ([] if none)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                          "resultTypes: ['violations']})", TAGS)
    return [f"{what}: {v['id']} ({v['impact']}): {v['help']}; at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"]) for v in found["violations"]]


@dataclass
class Site:
    """`intro serve` on a seeded campaign, its outbox, and the mails already read from it."""

    url: str
    env: dict[str, str]
    folder: Path
    taken: set[Path] = field(default_factory=set)

    def stats(self) -> dict[str, int]:
        figures: dict[str, int] = json.loads(run_intro("stats", "--json", cwd=self.folder, env=self.env).stdout)
        return figures

    def mail(self, kind: str, to: str = "") -> EmailMessage:
        """The next mail of ``kind`` (to ``to``) written to the outbox, once it is."""
        outbox, found = self.folder / "outbox", []

        def written() -> bool:
            if kind in ("followup", "question"):  # due at once for these old introductions; sent by a pass
                run_intro("followups", "run", cwd=self.folder, env=self.env)
            for path in sorted(outbox.glob(f"{kind}.*.eml")) if outbox.exists() else []:
                mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if path not in self.taken and to in str(mail["X-Envelope-To"]):
                    self.taken.add(path)
                    found.append(mail)
                    return True
            return False

        _wait(written, f"no {kind} mail to {to or 'anyone'} was written")
        return found[0]  # type: ignore[no-any-return]

    def link(self, kind: str, path: str, to: str = "") -> str:
        """The link to ``/path/<token>`` in the next mail of ``kind``."""
        text = self.mail(kind, to).get_body(("plain",)).get_content()  # type: ignore[union-attr]
        found = re.search(rf"(http://\S+/{path}/\S+)", text)
        assert found is not None, text
        return found.group(1)

    def send(self, name: str) -> None:
        with smtplib.SMTP("127.0.0.1", int(self.env["INTRO_SMTP_PORT"])) as client:
            client.sendmail("sam@example.com", ["intro@tally.example"], load(name))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """As tests/test_browser.py's site, for every test here, with Sam an organizer; Sam's
    introduction and a message of Sam's that is not one (a question) already in."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    folder = tmp_path_factory.mktemp("site")
    smtp, web = free_port(), free_port()
    env = environ(INTRO_SMTP_PORT=str(smtp), INTRO_WEB_PORT=str(web), INTRO_BASE_URL=f"http://127.0.0.1:{web}",
                  INTRO_SERVICE_ADDRESS="intro@tally.example", INTRO_FOLLOWUP_MAX_AGE="3650d",
                  INTRO_TRUST_ON_NONE="accept", INTRO_WEB_ADMINS=ORGANIZER,
                  INTRO_WEBHOOKS_ALLOW_PRIVATE="true")  # an endpoint on this machine, where nothing listens
    seeded = run_intro("demo", "seed", "--intros", "90", "--participants", "6", "--year", "2026",
                        "--pace-notes", cwd=folder, env=env)
    assert seeded.returncode == 0, seeded.stderr
    proc = subprocess.Popen([*intro_command(), "serve"], cwd=folder, env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(web, proc=proc)
        wait_for_port(smtp, proc=proc)
        served = Site(f"http://127.0.0.1:{web}", env, folder)
        served.send("plain_introduction.eml")
        _wait(lambda: served.stats()["introductions"] == 91, f"the introduction was not recorded: {served.stats()}")
        served.send("miss_no_words.eml")
        _wait(lambda: served.stats()["messages_unprocessed"] == 0, "the message was not processed")
        yield served
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page of its own (its own cookies). The site's CSP allows no script at all, so the
    test's own (axe) is let in by the browser: the pages are as served."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def visit(page: Any, url: str, heading: str, status: int = 200) -> None:
    """Open ``url``; it must be the page meant (its status and its h1), not some other."""
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response and response.status}"
    shown(page, heading)


def shown(page: Any, heading: str) -> None:
    page.wait_for_load_state()
    assert heading in page.inner_text("h1"), f"{page.url}: {page.inner_text('h1')!r}, not {heading!r}"


def press(page: Any, name: str) -> None:
    """The button named ``name`` in the page's main part (the footer has one too)."""
    page.locator("main").get_by_role("button", name=name).click()
    page.wait_for_load_state()


@pytest.mark.usefixtures("axe")
def test_public_pages_and_error_pages(site: Site, page: Any) -> None:
    problems: list[str] = []
    url = site.url
    for path, heading, status in (("/", "", 200), ("/?campaign=2026", "15 in 2026", 200), ("/join", "Join", 200),
                                  ("/sign-in", "Sign in", 200)):
        visit(page, url + path, heading, status)
        problems += check(page, path)

    # Forms sent wrong, as a person may (an address the browser lets through): each says what to do.
    page.goto(f"{url}/sign-in")
    page.fill("input[name=email]", "sam..carter@example.com")
    press(page, "Email me a link")
    assert page.locator("main [role=alert]").is_visible()
    problems += check(page, "/sign-in, an address that is none")
    page.goto(f"{url}/join")
    page.fill("input[name=email]", "sam..carter@example.com")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main [role=alert]").is_visible()
    problems += check(page, "/join, an address that is none")

    # A bad token in every kind of link, and a page that is not there.
    for path in ("/a/bad", "/u/bad", "/n/bad", "/q/bad", "/q/never/bad", "/pace/bad", "/c/bad", "/c/send/bad",
                 "/sign-in/bad", "/join/bad", "/address/bad", "/no-such-page", "/sign-out"):
        response = page.goto(url + path)
        assert response is not None and response.status in (400, 404, 405, 410), f"{path}: {response.status}"
        problems += check(page, path)
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("axe")
def test_joining_signing_in_ones_page_and_the_organizers_pages(site: Site, browser: Any, page: Any) -> None:
    problems: list[str] = []
    url = site.url

    # Joining: the form, "on its way", the mailed link's page, one's new page; the organizer's
    # page, which is not theirs; then forgetting it all.
    page.goto(f"{url}/join")
    page.fill("input[name=email]", "noor.haddad@example.net")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    problems += check(page, "/join, sent")
    joining = site.link("join", "join", "noor.haddad@example.net")
    visit(page, joining, "Join the")
    problems += check(page, "/join/<token>")
    page.locator("main").get_by_role("button", name="Join and open my page").click()
    page.wait_for_url(re.compile(r".*/me\?joined=1"))
    problems += check(page, "/me, joined")
    response = page.goto(f"{url}/admin")
    assert response is not None and response.status == 403
    problems += check(page, "/admin, not an organizer")
    page.goto(f"{url}/me")
    page.check("input[name=sure]")
    press(page, "Forget me")
    problems += check(page, "/me/forget, done")

    # Signing in as the organizer by a mailed link; their page, and the organizer's pages.
    visit(page, f"{url}/sign-in", "Sign in")
    page.fill("input[name=email]", ORGANIZER)
    press(page, "Email me a link")
    problems += check(page, "/sign-in, sent")
    signing_in = site.link("sign_in", "sign-in", ORGANIZER)
    visit(page, signing_in, "Sign in")
    problems += check(page, "/sign-in/<token>")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/me")
    assert "Signed in as sam@example.com" in page.inner_text("main")
    problems += check(page, "/me")
    for said in ("saved=1", "problem=invalid", "unsure=1"):  # what the page says after its forms
        visit(page, f"{url}/me?{said}", "Your introductions")
        problems += check(page, f"/me?{said}")
    page.fill("input#new-address", "sam@work.example")
    page.click("text=Add this address")
    page.wait_for_load_state()
    problems += check(page, "/me, an address to confirm")
    visit(page, site.link("address", "address", "sam@work.example"), "Add this address")
    problems += check(page, "/address/<token>")
    page.goto(signing_in)  # the sign-in link again: used
    problems += check(page, "/sign-in/<token>, used")
    visit(page, f"{url}/admin", "Organizer")
    problems += check(page, "/admin")
    for said in ("invited=2&saved=1&merge=sent", "merge=unknown"):
        visit(page, f"{url}/admin?{said}", "Organizer")
        problems += check(page, f"/admin?{said}")
    page.fill("#emails", "nobody-at-all")
    press(page, "Send invitations")
    shown(page, "No invitations were sent")
    problems += check(page, "/admin/invite, an address that is none")
    page.goto(f"{url}/admin")
    page.fill("#goal", "0")
    press(page, "Save the goal")
    shown(page, "The goal was not changed")
    problems += check(page, "/admin/goal, a goal that is none")
    visit(page, f"{url}/admin/review", "To review")
    problems += check(page, "/admin/review")
    visit(page, f"{url}/admin/webhooks", "Webhooks")
    problems += check(page, "/admin/webhooks")
    page.fill("#url", "not a url")
    press(page, "Add the endpoint")
    assert page.locator("main [role=alert]").is_visible()
    problems += check(page, "/admin/webhooks, a URL that is none")
    page.fill("#url", f"http://127.0.0.1:{free_port()}/hook")
    press(page, "Add the endpoint")
    shown(page, "Endpoint added")
    problems += check(page, "/admin/webhooks, added")
    page.get_by_role("link", name="Its delivery log").click()
    press(page, "Send a test event")
    shown(page, "Webhook endpoint")
    problems += check(page, "/admin/webhooks/<id>, a test event")
    visit(page, f"{url}/admin/webhooks", "Webhooks")
    problems += check(page, "/admin/webhooks, an endpoint")

    # A form sent too late.
    stale = browser.new_context(bypass_csp=True).new_page()
    stale.goto(f"{url}/sign-in")
    stale.context.clear_cookies()  # the session the form's token belongs to is gone
    stale.fill("input[name=email]", ORGANIZER)
    press(stale, "Email me a link")
    shown(stale, "Please send the form again")
    problems += check(stale, "/sign-in, the form expired")
    stale.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("axe")
def test_answering_stopping_mail_and_never_being_recorded(site: Site, page: Any) -> None:
    problems: list[str] = []
    followup = site.mail("followup", "lee@example.org")
    html = followup.get_body(("html",)).get_content()  # type: ignore[union-attr]
    answer = re.search(r'href="([^"]+\?answer=helped)"', html)
    unsubscribe = re.search(r'href="([^"]+/u/[^"]+)"', html)
    assert answer is not None and unsubscribe is not None
    visit(page, answer.group(1).replace("&amp;", "&"), "Did the introduction help?")
    problems += check(page, "/a/<token>")
    page.fill("textarea[name=comment]", "We met for coffee.")
    press(page, "Send my answer")
    assert "Thank" in page.inner_text("main")
    problems += check(page, "/a/<token>, answered")
    page.goto(answer.group(1).replace("&amp;", "&"))
    problems += check(page, "/a/<token>, answered already")
    never = page.locator("main a", has_text="Never record me").get_attribute("href")

    visit(page, unsubscribe.group(1).replace("&amp;", "&"), "Stop all mail")
    problems += check(page, "/u/<token>")
    press(page, "Stop all mail")
    problems += check(page, "/u/<token>, done")
    visit(page, site.url + str(never), "Never record me?")
    problems += check(page, "/n/<token>")
    press(page, "Never record me")
    problems += check(page, "/n/<token>, done")
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("axe")
def test_the_question_and_pace_pages(site: Site, page: Any) -> None:
    problems: list[str] = []
    text = site.mail("question").get_body(("plain",)).get_content()  # type: ignore[union-attr]
    log, never = re.search(r"(http://\S+/q/\S+\?choice=log)", text), re.search(r"(http://\S+/q/never/\S+)", text)
    assert log is not None and never is not None
    visit(page, log.group(1), "Was it an introduction?")
    problems += check(page, "/q/<token>")
    page.check("input[value='dana@example.net']")
    page.check("input[value='lee@example.org']")
    press(page, "Log it")
    problems += check(page, "/q/<token>, logged")
    page.goto(log.group(1))
    problems += check(page, "/q/<token>, answered already")
    visit(page, never.group(1), "Never ask me again?")
    problems += check(page, "/q/never/<token>")
    press(page, "Never ask me again")
    problems += check(page, "/q/never/<token>, done")

    pace = site.url + pace_path(site.folder / "intro.db")  # the first participant's: seeded with the notes on
    visit(page, pace.replace("do=pause", "do=stop"), "Stop the pace notes?")
    problems += check(page, "/pace/<token>?do=stop")
    press(page, "Pause them for a month")
    shown(page, "Paused for a month")
    problems += check(page, "/pace/<token>, paused")
    visit(page, pace.replace("do=pause", "do=stop"), "Stop the pace notes?")
    press(page, "Stop these notes")
    shown(page, "No more pace notes")
    problems += check(page, "/pace/<token>, stopped")
    visit(page, pace, "The pace notes are stopped")
    problems += check(page, "/pace/<token>, stopped already")
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("axe")
def test_the_pages_of_asking_first(site: Site, page: Any) -> None:
    """As tests/test_browser.py asks: a yes by reply-all brings the send page's link; an
    unclear reply, the note with the answer page's. (People of their own: Lee has stopped
    all mail, above.)"""
    problems: list[str] = []
    smtp = int(site.env["INTRO_SMTP_PORT"])
    ask = _ask_mail(SAM, ROSA, "Would you like to meet Kofi?", f"Hi Rosa,\n\nwould you like to meet {KOFI}? He "
                    "runs the bakery co-op on Elm Street and is looking for a bookkeeper.\n\nSam\n")
    _deliver(smtp, ask, site.folder, site.env)
    _deliver(smtp, _ask_mail(ROSA, SAM, "Re: Would you like to meet Kofi?", "Yes, happy to!\n\nRosa\n",
                             replying_to=ask), site.folder, site.env)
    send = site.link("ask-yes", "c/send")
    second = _ask_mail(SAM, KIM, "Would you like to meet Ola?", f"Hi Kim,\n\nwould you like to meet {OLA}? She is "
                       "moving to town and looking for a climbing partner.\n\nSam\n")
    _deliver(smtp, second, site.folder, site.env)
    _deliver(smtp, _ask_mail(KIM, SAM, "Re: Would you like to meet Ola?", "Who is she, remind me?",
                             replying_to=second), site.folder, site.env)
    text = site.mail("ask-nudge").get_body(("plain",)).get_content()  # type: ignore[union-attr]
    no = re.search(r"(http://\S+/c/\S+\?answer=no)\b", text)
    assert no is not None

    visit(page, send, "Send the introduction")
    problems += check(page, "/c/send/<token>")
    press(page, "Send the introduction")
    shown(page, "The introduction is on its way")
    problems += check(page, "/c/send/<token>, sent")
    visit(page, send, "Introduced already")
    problems += check(page, "/c/send/<token>, sent already")
    visit(page, no.group(1), "Would you like to meet Ola Berg?")
    problems += check(page, "/c/<token>")
    press(page, "No, thank you")
    shown(page, "not this time")
    problems += check(page, "/c/<token>, answered")
    assert not problems, "\n".join(problems)


def test_answering_with_the_keyboard_alone(site: Site, page: Any) -> None:
    """The follow-up's link opened, then only keys: Tab to the answers (each stop showing
    where the focus is), the arrow keys and Space to choose, typing, Enter to send."""
    html = site.mail("followup", "dana@example.net").get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = re.search(r'href="([^"]+)\?answer=helped"', html)
    assert link is not None
    before = site.stats()["answers"]
    visit(page, link.group(1), "Did the introduction help?")
    assert page.locator("input[name=answer]:checked").count() == 0  # opened without an answer in the link

    def focused() -> dict[str, str]:
        return page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, name: e.name || '', value: e.value || '', type: e.type || '',
                    outline: s.outlineStyle, visible: String(e.matches(':focus-visible'))}; }""")

    for _ in range(20):  # past the site's links, to the first answer
        page.keyboard.press("Tab")
        now = focused()
        assert now["visible"] == "true" and now["outline"] != "none", f"no focus outline on {now}"
        if now["name"] == "answer":
            break
    assert now == {**now, "value": "helped", "type": "radio"}
    page.keyboard.press("ArrowDown")  # within the group: the next answer, chosen
    page.keyboard.press("Space")
    assert focused()["value"] == "not_yet" and page.is_checked("#answer-not_yet")
    page.keyboard.press("Tab")
    assert focused()["name"] == "comment"
    page.keyboard.type("We have a call next week.")
    page.keyboard.press("Tab")
    assert focused() == {**focused(), "tag": "BUTTON", "type": "submit"}
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    _wait(lambda: "Thank" in page.inner_text("main"), "the answer page did not thank")
    assert "Not yet" in page.inner_text("main")
    assert site.stats()["answers"] == before + 1
    page.goto(link.group(1))  # the page again: the answer and the comment, as recorded
    assert page.is_checked("#answer-not_yet") and page.input_value("#comment") == "We have a call next week."


# The mails --------------------------------------------------------------------------------

def _mails(language: str = "en") -> list[tuple[str, str, Rendered]]:
    """(template, sample, rendered) for bench/render_samples.py's examples: every mail, each kind."""
    samples, renderer = render_samples, Renderer()
    found = [("followup", "followup", renderer.followup(samples.EXAMPLE, language)),
             ("followup", "reminder", renderer.followup(replace(samples.EXAMPLE, reminder=True), language)),
             ("followups", "followups", renderer.followups([samples.EXAMPLE, replace(
                 samples.EXAMPLE, introducer_name="Rosa Costa", others=("Kofi Mensah",))], language))]
    found += [("link", link.purpose, render_link(renderer, link, language)) for link in samples.LINKS]
    found += [(notice.kind, notice.kind, render_notice(renderer, notice, language))
              for notice in (samples.NOTICE, samples.ANSWERED)]
    found += [("question", "question", render_question(renderer, samples.QUESTION, language)),
              ("pace", "pace", render_pace(renderer, samples.PACE, language))]
    found += [(ask.kind, ask.kind, render_asked(renderer, ask, language)) for ask in samples.ASKED]
    found.append(("webhook_disabled", "webhook_disabled",
                  render_webhook_note(renderer, samples.WEBHOOK_NOTE, language)))
    return found


class _Parts(HTMLParser):
    """The elements a mail's checks are about."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_mail_has_lang_text_alternatives_and_layout_tables_only(language: str) -> None:
    mails = _mails(language)
    templates = {path.stem for path in BUILTIN_DIR.glob("*.html") if not path.name.startswith("_")}
    assert {template for template, _, _ in mails} == templates  # every mail the service sends
    for _, sample, rendered in mails:
        parts = _Parts()
        parts.feed(rendered.html)
        html = [attrs for tag, attrs in parts.elements if tag == "html"]
        assert len(html) == 1 and html[0].get("lang") == language, f"{sample}: {html}"
        for tag, attrs in parts.elements:
            if tag == "img":
                assert attrs.get("alt") is not None, f"{sample}: an image without alt: {attrs}"
            if tag == "svg":
                assert attrs.get("aria-hidden") == "true" or (attrs.get("role") == "img" and attrs.get("aria-label")),\
                    f"{sample}: a picture with no text alternative: {attrs}"
            assert tag not in ("object", "embed", "video", "audio", "canvas", "iframe", "area"), f"{sample}: <{tag}>"
        # Outlook's conditional comments hold tables too: every <table> in the text, read or not.
        tables = re.findall(r"<table\b[^>]*>", rendered.html)
        assert tables and all('role="presentation"' in table for table in tables), f"{sample}: {tables}"


@pytest.mark.usefixtures("axe")
def test_the_check_finds_what_is_wrong(browser: Any) -> None:
    """The check itself, so that a page passing is not axe missing or running no rules."""
    page = browser.new_page()
    page.set_content('<html><title>t</title><body><main><img src="data:,"><p style="color:#aaa">pale</p>'
                     '<input type="text"></main></body></html>')
    found = check(page, "a page wrong on purpose")
    page.close()
    assert {re.search(r": ([\w-]+) ", line).group(1) for line in found} >= {  # type: ignore[union-attr]
        "html-has-lang", "image-alt", "color-contrast", "label"}, found


@pytest.mark.usefixtures("axe")
def test_every_mail_passes_axe(browser: Any) -> None:
    page = browser.new_page()
    problems: list[str] = []
    for template, sample, rendered in _mails():
        page.set_content(rendered.html)
        problems += check(page, f"{sample} mail ({template}.html)")
    page.close()
    assert not problems, "\n".join(problems)
