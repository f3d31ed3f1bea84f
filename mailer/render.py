"""Follow-up mail, rendered from templates/email/ (STYLE 5: the wording lives in the templates).

Rendering only: no headers, no sending. Every string in the context may come from an
untrusted mail header, so the renderer cleans them before any template sees them:
control characters (CR and LF above all) become spaces, so a name cannot add a header
line to the subject or a line to the text part; the HTML is escaped by autoescape.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jinja2
from intro.templates import FOLDER

from intro import languages
from intro.text import SUBJECT_MAX, mail_subject, one_line
from intro.text import mail_name as _name

BUILTIN_DIR = FOLDER / "email"
ANSWERS = ("helped", "not_yet", "no")
TEXT_WIDTH = 72
NAMED_OTHERS = 3  # a follow-up names at most this many other people
_URL_SCHEMES = ("https", "http")  # http only so that a local base_url (the default) works


@dataclass(frozen=True)
class FollowupMail:
    """Everything the follow-up templates may use (rendered with StrictUndefined)."""

    recipient_name: str  # display name of the person asked ("" when unknown: then greet neutrally)
    recipient_email: str
    introducer_name: str  # "" when unknown: then use introducer_email
    introducer_email: str
    others: tuple[str, ...]  # names (or addresses) of the people they were introduced to; 1 or more
    subject: str  # the introduction email's original subject ("" when it had none)
    made_on: date  # when the introduction was made
    reminder: bool  # True for the single reminder
    answer_urls: Mapping[str, str]  # keys "helped", "not_yet", "no" -> https URLs (one click each)
    unsubscribe_url: str  # https URL of the visible opt-out page
    reply_address: str  # e.g. intro+f-abc123@tally.example
    service_name: str  # e.g. "intro"; the From display name
    service_url: str  # the public site, e.g. https://intro.example.org
    more_others: int = 0  # how many of the others are counted, not named ("and 3 others"): set by clean()


@dataclass(frozen=True)
class Rendered:
    subject: str  # one line, no newlines, trimmed, at most 200 characters
    text: str  # text/plain part
    html: str  # text/html part
    language: str = "en"  # what it is written in (Content-Language)


def _url(value: str, what: str) -> str:
    url = one_line(value)
    # Autoescape stops a URL from breaking out of href="...", not a javascript: URL, and
    # these are the only links in the mail; so they are checked, not trusted.
    parts = urlsplit(url)
    if parts.scheme not in _URL_SCHEMES or not parts.netloc or " " in url:
        raise ValueError(f"{what}: expected an http(s) URL, got {url!r}")
    return url


def clean(mail: FollowupMail) -> FollowupMail:
    """``mail`` with every string safe to put on one line of a subject, a text or an HTML page."""
    missing = [key for key in ANSWERS if key not in mail.answer_urls]
    if missing:
        raise ValueError(f"answer_urls: missing {', '.join(missing)}")
    if not mail.others:
        raise ValueError("others: the introduction needs at least one other person")
    others, more_others = named(mail.others)
    return replace(
        mail,
        recipient_name=_name(mail.recipient_name),
        recipient_email=one_line(mail.recipient_email),
        introducer_name=_name(mail.introducer_name),
        introducer_email=one_line(mail.introducer_email),
        others=others,
        more_others=more_others,
        subject=mail_subject(mail.subject),
        answer_urls=MappingProxyType({key: _url(mail.answer_urls[key], f"answer_urls[{key}]") for key in ANSWERS}),
        unsubscribe_url=_url(mail.unsubscribe_url, "unsubscribe_url"),
        reply_address=one_line(mail.reply_address),
        service_name=_name(mail.service_name),
        service_url=_url(mail.service_url, "service_url"),
    )


def named(others: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
    """The people someone was introduced to, as their mail names them, and how many more
    it counts without naming: all of a small introduction; of a larger one, the first two
    (a follow-up is no list of other people's names). The templates say it in the mail's
    language: "Lee Park, Kim Lo and 3 others"."""
    if len(others) <= NAMED_OTHERS:
        return tuple(_name(other) for other in others), 0
    return (_name(others[0]), _name(others[1])), len(others) - 2


_ASCII_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def reflow(value: str, width: int = TEXT_WIDTH) -> str:
    """Rewrap prose: lines of a paragraph are joined, then wrapped at ``width``.

    Paragraphs are separated by blank lines. Long words (addresses, URLs) are never
    split, so they stay clickable.
    """
    paragraphs = re.split(r"\n\s*\n", value.strip())
    return "\n\n".join(
        # Split at ASCII whitespace only: a no-break space (French "30 minutes :", « ») stays
        # one, and textwrap never breaks a line there.
        textwrap.fill(" ".join(_ASCII_SPACES.split(p.strip())), width, break_long_words=False,
                      break_on_hyphens=False)
        for p in paragraphs if p.strip()
    )


def _tidy_text(value: str) -> str:
    # Whitespace left by template tags: no trailing spaces, at most one blank line in a row.
    lines = [line.rstrip() for line in value.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


class Renderer:
    """Renders the follow-up from the built-in templates, or a deployer's replacements."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        # "" is the configuration's "none" ([mail] templates); Path("") would be the working directory.
        search = [BUILTIN_DIR]
        if override_dir:
            if not Path(override_dir).is_dir():
                # Jinja would skip a missing folder without a word, and the built-ins would go out instead.
                raise ValueError(f"templates folder {override_dir} does not exist or is not a folder")
            search.insert(0, Path(override_dir))
        self._loader = jinja2.FileSystemLoader(search)
        self._envs: dict[str, jinja2.Environment] = {}
        self.env = self._env(languages.DEFAULT)

    def _env(self, language: str) -> jinja2.Environment:
        """The templates in ``language``: its catalog, and its dates and numbers."""
        env = self._envs.get(language)
        if env is not None:
            return env
        env = jinja2.Environment(
            loader=self._loader,
            # Escaping is decided per template file, by its extension. A macro defined in a
            # .txt file and called from an .html one is therefore NOT escaped: HTML templates
            # import only .html files.
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # One msgid per sentence, however the template wraps it: whitespace is collapsed.
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_translations(languages.translations(language), newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(languages.filters(language), reflow=reflow)
        env.globals["language"] = language
        self._envs[language] = env  # two threads may build one each: the same, and one is kept
        return env

    def _render(self, name: str, context: Mapping[str, Any], language: str = languages.DEFAULT) -> str:
        return self._env(language).get_template(name).render(context)

    def mail(self, name: str, safe: Any, language: str = languages.DEFAULT) -> Rendered:
        """The subject, text and HTML of mail ``name`` in ``language`` for a cleaned
        dataclass of its values."""
        context = {f.name: getattr(safe, f.name) for f in fields(safe)}
        return Rendered(
            subject=one_line(self._render(f"{name}.subject.txt", context, language), SUBJECT_MAX),
            text=_tidy_text(self._render(f"{name}.txt", context, language)),
            html=self._render(f"{name}.html", context, language),
            language=language,
        )

    def followup(self, mail: FollowupMail, language: str = languages.DEFAULT) -> Rendered:
        return self.mail("followup", clean(mail), language)


    def followups(self, mails: list[FollowupMail], language: str = languages.DEFAULT) -> Rendered:
        """Several follow-ups to one person, due together, as one mail (followups.*)."""
        items = [clean(mail) for mail in mails]
        first = items[0]
        context = {"items": items, "recipient_name": first.recipient_name, "unsubscribe_url": first.unsubscribe_url,
                   "service_name": first.service_name, "service_url": first.service_url}
        return Rendered(
            subject=one_line(self._render("followups.subject.txt", context, language), SUBJECT_MAX),
            text=_tidy_text(self._render("followups.txt", context, language)),
            html=self._render("followups.html", context, language),
            language=language,
        )


@dataclass(frozen=True)
class NoticeMail:
    """What the notes to introducers may use: receipt.* and answered.* templates."""

    kind: str  # "receipt" or "answered": the template's name
    introducer_name: str
    introducer_email: str
    others: tuple[str, ...]  # the people introduced (the introducer's own contacts)
    subject: str
    made_on: date
    year: int
    goal: int
    count: int  # the introducer's count-th introduction of the campaign
    answers: tuple[tuple[str, str], ...]  # (person, "helped" / "not_yet" / "no") for "answered"
    unsubscribe_url: str
    service_name: str
    service_url: str


def render_notice(renderer: Renderer, mail: NoticeMail, language: str = languages.DEFAULT) -> Rendered:
    if mail.kind not in ("receipt", "answered"):
        raise ValueError(f"no templates for a {mail.kind!r} notice")
    safe = replace(
        mail,
        introducer_name=_name(mail.introducer_name), introducer_email=one_line(mail.introducer_email),
        others=tuple(_name(o) for o in mail.others), subject=mail_subject(mail.subject),
        answers=tuple((_name(who), one_line(what)) for who, what in mail.answers),
        unsubscribe_url=_url(mail.unsubscribe_url, "unsubscribe_url"), service_name=_name(mail.service_name),
        service_url=_url(mail.service_url, "service_url"),
    )
    return renderer.mail(mail.kind, safe, language)


@dataclass(frozen=True)
class LinkMail:
    """What the link.* templates may use: a sign-in, join or invitation link, or one that
    adds an address to a person's own."""

    purpose: str  # "sign_in", "join", "invite", "privacy", "confirm", "held" or "address"
    email: str  # the address it is sent to
    name: str  # the name they gave, or ""
    year: int | None  # the campaign to join
    inviter: str  # the organizer who invites, or who asked for an address to be merged ("" otherwise)
    url: str  # the link itself
    lifetime: str  # how long it works, in words: "30 minutes", "3 days"
    service_name: str
    service_url: str
    owner: str = ""  # "address": the person the address is to be added to, "Name <address>"


def render_link(renderer: Renderer, mail: LinkMail, language: str = languages.DEFAULT) -> Rendered:
    if mail.purpose not in ("sign_in", "join", "invite", "privacy", "confirm", "held", "address"):
        raise ValueError(f"no templates for a {mail.purpose!r} link")
    safe = replace(mail, email=one_line(mail.email), name=_name(mail.name), inviter=_name(mail.inviter),
                   owner=one_line(mail.owner),
                   url=_url(mail.url, "url"), service_name=_name(mail.service_name),
                   service_url=_url(mail.service_url, "service_url"))
    return renderer.mail("link", safe, language)


@dataclass(frozen=True)
class Candidate:
    email: str
    name: str
    suggested: bool  # the message names them: ticked on the page


@dataclass(frozen=True)
class QuestionMail:
    """What the question.* templates may use: "was this an introduction?"."""

    name: str  # the sender's name, or ""
    subject: str  # of their message ("" when it had none)
    sent_on: datetime  # when it arrived
    candidates: tuple[Candidate, ...]  # the people it went to
    log_url: str  # the page, with "Log it" chosen
    not_url: str  # the page, with "It was not an introduction" chosen
    never_url: str  # never ask again
    service_name: str
    service_url: str


def render_question(renderer: Renderer, mail: QuestionMail, language: str = languages.DEFAULT) -> Rendered:
    safe = replace(mail, name=_name(mail.name), subject=mail_subject(mail.subject),
                   candidates=tuple(Candidate(one_line(c.email), _name(c.name), c.suggested) for c in mail.candidates),
                   log_url=_url(mail.log_url, "log_url"), not_url=_url(mail.not_url, "not_url"),
                   never_url=_url(mail.never_url, "never_url"), service_name=_name(mail.service_name),
                   service_url=_url(mail.service_url, "service_url"))
    return renderer.mail("question", safe, language)


@dataclass(frozen=True)
class PaceMail:
    """What the pace.* templates may use: a participant behind the year's pace."""

    name: str  # theirs, or ""
    count: int  # their introductions so far this campaign
    pace: int  # where an even pace would have them today
    goal: int
    year: int
    team_count: int  # the team's introductions so far, and its goal (nobody named)
    team_goal: int
    service_address: str  # to copy on an introduction
    pause_url: str  # no notes for a month
    stop_url: str  # no more notes
    unsubscribe_url: str  # no mail at all
    service_name: str
    service_url: str


def render_pace(renderer: Renderer, mail: PaceMail, language: str = languages.DEFAULT) -> Rendered:
    safe = replace(mail, name=_name(mail.name), service_address=one_line(mail.service_address),
                   pause_url=_url(mail.pause_url, "pause_url"), stop_url=_url(mail.stop_url, "stop_url"),
                   unsubscribe_url=_url(mail.unsubscribe_url, "unsubscribe_url"),
                   service_name=_name(mail.service_name), service_url=_url(mail.service_url, "service_url"))
    return renderer.mail("pace", safe, language)


@dataclass(frozen=True)
class AskedMail:
    """What the ask_*.* templates may use: mails about asking someone first (intro.consent).
    ``kind`` is the template: ask_nudge, ask_yes, ask_declined, ask_expired, ask_unclear,
    ask_introduction."""

    kind: str
    recipient_name: str  # whom it greets ("" for the introduction, which greets both)
    introducer_name: str
    introducer_email: str
    asked_name: str  # the person asked ("" when the ask was unclear)
    asked_email: str
    other_name: str  # the one they were asked about
    other_email: str
    subject: str  # the ask's subject
    asked_on: date
    answer_urls: Mapping[str, str]  # the nudge: "yes", "not_now", "no" -> the page that records it
    send_url: str  # "yes": the page that sends the introduction
    body: str  # the introduction: its introducer's words
    ask_address: str  # intro+ask@...
    expires_days: int  # [consent] expires, in days
    followup_days: int  # [followup] delay, in days: when both are asked whether it helped
    unsubscribe_url: str  # "" for the introduction (its introducer's mail, not the service's)
    service_name: str
    service_url: str


def render_asked(renderer: Renderer, mail: AskedMail, language: str = languages.DEFAULT) -> Rendered:
    safe = replace(
        mail, recipient_name=_name(mail.recipient_name), introducer_name=_name(mail.introducer_name),
        introducer_email=one_line(mail.introducer_email), asked_name=_name(mail.asked_name),
        asked_email=one_line(mail.asked_email), other_name=_name(mail.other_name),
        other_email=one_line(mail.other_email), subject=mail_subject(mail.subject),
        answer_urls=MappingProxyType({k: _url(v, f"answer_urls[{k}]") for k, v in mail.answer_urls.items()}),
        send_url=_url(mail.send_url, "send_url") if mail.send_url else "",
        # The introducer's own words: control characters out, line breaks kept.
        body="\n".join(one_line(line) for line in mail.body.replace("\r\n", "\n").split("\n")).strip(),
        ask_address=one_line(mail.ask_address),
        unsubscribe_url=_url(mail.unsubscribe_url, "unsubscribe_url") if mail.unsubscribe_url else "",
        service_name=_name(mail.service_name), service_url=_url(mail.service_url, "service_url"))
    return renderer.mail(mail.kind, safe, language)


@dataclass(frozen=True)
class WebhookNoteMail:
    """What the webhook_disabled.* templates may use: an organizer is told that a webhook
    endpoint was disabled after a day of failed deliveries."""

    url: str  # the endpoint, without its query
    disabled_at: datetime
    page_url: str  # /admin/webhooks: its log, and the button that enables it again
    service_name: str
    service_url: str


def render_webhook_note(renderer: Renderer, mail: WebhookNoteMail, language: str = languages.DEFAULT) -> Rendered:
    safe = replace(mail, url=one_line(mail.url), page_url=_url(mail.page_url, "page_url"),
                   service_name=_name(mail.service_name), service_url=_url(mail.service_url, "service_url"))
    return renderer.mail("webhook_disabled", safe, language)
