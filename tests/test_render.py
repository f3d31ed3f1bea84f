"""The follow-up mail: what it says, that hostile names stay inert, and that deployers can replace templates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from mailer.render import BUILTIN_DIR, SUBJECT_MAX, TEXT_WIDTH, FollowupMail, Rendered, Renderer

SITE = "https://intro.example.org"
ANSWER_URLS = {
    "helped": f"{SITE}/a/tok-1?answer=helped",
    "not_yet": f"{SITE}/a/tok-1?answer=not_yet",
    "no": f"{SITE}/a/tok-1?answer=no",
}
MAIL = FollowupMail(
    recipient_name="Dana Reyes",
    recipient_email="dana@example.org",
    introducer_name="Sam Carter",
    introducer_email="sam@example.com",
    others=("Lee Park",),
    subject="Dana, meet Lee",
    made_on=date(2026, 3, 2),
    reminder=False,
    answer_urls=ANSWER_URLS,
    unsubscribe_url=f"{SITE}/u/tok-2",
    reply_address="intro+f-abc123@intro.example.org",
    service_name="intro",
    service_url=SITE,
)
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Eve\r\nBcc: victim@example.com",
    "Eve\nSubject: you won\n\nclick here",
    "Eve\u2028Bcc: victim@example.com\x85Cc: other@example.com",
    "Eve\x00\x1b[2J\x07\x7f\x0bBcc: victim@example.com",  # NUL, a terminal escape, BEL, DEL, VT
]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> blocks."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def flat(text: str) -> str:
    """``text`` with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def render(renderer: Renderer, **changes: object) -> Rendered:
    return renderer.followup(replace(MAIL, **changes))  # type: ignore[arg-type]


def test_the_followup_says_who_whom_when_why_and_how_to_stop(renderer: Renderer) -> None:
    mail = renderer.followup(MAIL)
    assert "Sam Carter" in mail.subject and "Lee Park" in mail.subject
    for part in (flat(mail.text), flat(unescape(mail.html))):
        for expected in ("Dana Reyes", "Sam Carter", "sam@example.com", "Lee Park", "2 March 2026", "Dana, meet Lee",
                         *ANSWER_URLS.values(), f"{SITE}/u/tok-2", "intro+f-abc123@intro.example.org",
                         "copied intro on the introduction;", "both people once whether an introduction helped",
                         "Nobody signed you up for anything else", "comment on the next page", "yes", "not yet"):
            assert expected in part, (expected, part)
    assert "It helped:\n" + ANSWER_URLS["helped"] + "\n" in mail.text
    assert "Not yet:\n" + ANSWER_URLS["not_yet"] + "\n" in mail.text
    assert "It did not help:\n" + ANSWER_URLS["no"] + "\n" in mail.text


def test_the_reminder_is_shorter_and_says_it_is_the_only_one(renderer: Renderer) -> None:
    first, reminder = renderer.followup(MAIL), render(renderer, reminder=True)
    assert reminder.subject.startswith("Reminder") and not first.subject.startswith("Reminder")
    assert "This is the only reminder." in flat(reminder.text) and "This is the only reminder." in reminder.html
    assert len(reminder.text) < len(first.text) and len(reminder.html) < len(first.html)
    for expected in ("Sam Carter", "Lee Park", *ANSWER_URLS.values(), f"{SITE}/u/tok-2", "copied intro"):
        assert expected in flat(reminder.text) and expected in reminder.html


def test_unknown_names_fall_back_politely(renderer: Renderer) -> None:
    mail = render(renderer, recipient_name="", introducer_name="")
    assert mail.text.startswith("Hello,\n")
    assert "Hello,</p>" in mail.html
    assert "made by sam@example.com" in mail.subject
    assert "sam@example.com copied intro" in flat(mail.text)


def test_several_others_are_listed_and_everyone_is_asked(renderer: Renderer) -> None:
    mail = render(renderer, others=("Lee Park", "Kim Lo", "ana@example.net"))
    assert "Lee Park, Kim Lo and ana@example.net" in mail.subject
    assert "Lee Park, Kim Lo and ana@example.net" in flat(mail.text)
    assert "everyone introduced" in flat(mail.text) and "everyone introduced" in mail.html


def test_prose_is_wrapped_and_urls_stay_whole(renderer: Renderer) -> None:
    mail = renderer.followup(MAIL)
    for line in mail.text.splitlines():
        assert len(line) <= TEXT_WIDTH or " " not in line, line
    assert mail.text.endswith("\n") and not mail.text.endswith("\n\n")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_inert(renderer: Renderer, name: str) -> None:
    def with_name(value: str) -> Rendered:
        return render(renderer, recipient_name=value, introducer_name=value, others=(value, "Lee Park"),
                      subject=value, service_name=value)

    mail = with_name(name)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    controls = [c for c in mail.subject + mail.text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
    assert not controls
    # Control characters count as one space each, no more: they cannot start a line of their own.
    spaced = " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in name).split())
    assert mail == with_name(spaced)
    tags = Tags(mail.html)
    assert not tags.named("script") and not tags.named("img")
    assert not any(key.startswith("on") for _, attrs in tags.tags for key in attrs)
    assert "<script>" not in mail.html and "<img" not in mail.html


def test_bidi_overrides_are_removed(renderer: Renderer) -> None:
    mail = render(renderer, introducer_name="Sam \u202eevil\u202c Carter")
    assert "\u202e" not in mail.subject + mail.text + mail.html
    assert "Sam evil Carter" in flat(mail.text)


def test_the_subject_is_one_trimmed_line_of_at_most_200_characters(renderer: Renderer) -> None:
    mail = render(renderer, others=tuple(f"Person {i} " + "x" * 60 for i in range(10)))
    assert len(mail.subject) <= SUBJECT_MAX
    assert mail.subject == mail.subject.strip() and "\n" not in mail.subject


def test_long_names_are_cut_but_addresses_are_not(renderer: Renderer) -> None:
    address = "ceo." + "a" * 150 + "@evil.example"
    mail = render(renderer, introducer_name="N" * 500, others=(address,))
    assert "N" * 101 not in mail.text
    assert address in mail.html


@pytest.mark.parametrize("mail", [
    replace(MAIL, reminder=False),
    replace(MAIL, reminder=True),
    replace(MAIL, recipient_name="", introducer_name="", subject=""),
])
def test_the_html_is_safe_for_mail_clients(renderer: Renderer, mail: FollowupMail) -> None:
    html = renderer.followup(mail).html
    tags = Tags(html)
    assert not tags.named("script") and not tags.named("img") and not tags.named("iframe")
    assert not any((attrs.get("rel") or "") == "stylesheet" for attrs in tags.named("link"))
    assert not any("src" in attrs for _, attrs in tags.tags)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    allowed = {*ANSWER_URLS.values(), mail.unsubscribe_url, mail.service_url}
    hrefs = [attrs.get("href") or "" for attrs in tags.named("a")]
    assert hrefs
    for href in hrefs:
        assert href in allowed or href.startswith("mailto:"), href
    assert {*ANSWER_URLS.values(), mail.unsubscribe_url} <= set(hrefs)
    assert f"mailto:{mail.reply_address}" in hrefs
    html_tag = tags.named("html")[0]
    assert html_tag.get("lang") and html_tag.get("dir")
    assert tags.named("title") and any(a.get("name") == "viewport" for a in tags.named("meta"))
    assert any("display:none" in (attrs.get("style") or "") for attrs in tags.named("div")), "no hidden preheader"


def test_a_javascript_url_is_refused(renderer: Renderer) -> None:
    with pytest.raises(ValueError, match="answer_urls"):
        render(renderer, answer_urls={**ANSWER_URLS, "no": "javascript:alert(1)"})
    with pytest.raises(ValueError, match="not_yet"):
        render(renderer, answer_urls={"helped": ANSWER_URLS["helped"], "no": ANSWER_URLS["no"]})


def test_html_templates_never_import_text_ones() -> None:
    # A macro from a .txt template is not escaped even when an .html template calls it.
    for path in BUILTIN_DIR.glob("*.html"):
        assert not re.search(r"{%-?\s*(import|from|include|extends)\s+[\"'][^\"']*\.txt", path.read_text()), path.name


def test_an_unknown_variable_raises(tmp_path: Path) -> None:
    (tmp_path / "followup.txt").write_text("Hello {{ recipient_nmae }}\n")
    with pytest.raises(jinja2.UndefinedError):
        Renderer(tmp_path).followup(MAIL)


def test_an_override_replaces_only_the_files_it_has(tmp_path: Path) -> None:
    (tmp_path / "followup.subject.txt").write_text("Hallo from {{ introducer_name }}\n")
    mail = Renderer(str(tmp_path)).followup(MAIL)
    assert mail.subject == "Hallo from Sam Carter"
    assert mail.text == Renderer().followup(MAIL).text
    assert "copied intro on the introduction" in mail.html


def test_an_override_of_the_layout_applies_to_the_builtin_html(tmp_path: Path) -> None:
    (tmp_path / "_layout.html").write_text('<html lang="de" dir="ltr"><title>t</title>{% block content %}{% endblock %}'
                                           "</html>")
    html = Renderer(tmp_path).followup(MAIL).html
    assert html.startswith('<html lang="de"') and "Lee Park" in html


def test_an_empty_override_means_none_and_a_missing_folder_is_an_error(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "followup.subject.txt").write_text("from the working directory\n")
    monkeypatch.chdir(tmp_path)
    assert Renderer("").followup(MAIL).subject == Renderer().followup(MAIL).subject
    with pytest.raises(ValueError, match="does not exist"):
        Renderer(tmp_path / "missing")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_inert_in_every_other_mail(renderer: Renderer, name: str) -> None:
    """The batched follow-ups, the link mails (sign-in, join, invitation, privacy,
    confirmation) and the notes to introducers: no tag, no attribute, no header line."""
    from mailer.render import LinkMail, NoticeMail, render_link, render_notice

    other = replace(MAIL, introducer_name=name, others=(name,), subject=name, recipient_name=name)
    mails = [renderer.followups([other, other])]
    for purpose in ("sign_in", "join", "invite", "privacy", "confirm"):
        mails.append(render_link(renderer, LinkMail(purpose=purpose, email="dana@example.net", name=name, year=2026,
                                                    inviter=name, url=f"{SITE}/sign-in/tok", lifetime="a day",
                                                    service_name=name, service_url=SITE)))
    for kind in ("receipt", "answered"):
        mails.append(render_notice(renderer, NoticeMail(
            kind=kind, introducer_name=name, introducer_email="sam@example.com", others=(name, "Lee"), subject=name,
            made_on=date(2026, 3, 2), year=2026, goal=15, count=3, answers=((name, "helped"),),
            unsubscribe_url=f"{SITE}/u/tok", service_name=name, service_url=SITE)))
    for mail in mails:
        assert "\n" not in mail.subject and "\r" not in mail.subject
        assert not [c for c in mail.subject + mail.text.replace("\n", "")
                    if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
        tags = Tags(mail.html)
        assert not tags.named("script") and not tags.named("img")
        assert not any(key.startswith("on") for _, attrs in tags.tags for key in attrs)
