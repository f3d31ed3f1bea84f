"""Render every mail the service sends, for one realistic example, into docs/emails/.

Not a test: the files are there to be read and reviewed (and screenshotted) whenever the
templates change, so a change in wording shows up as a diff.

    .venv/bin/python bench/render_samples.py [--templates DIR] [--out docs/emails]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from intro.languages import LANGUAGES
from intro.links import LIFETIME
from intro.models import LinkPurpose
from mailer.compose import lifetime_words
from mailer.render import (
    AskedMail,
    Candidate,
    FollowupMail,
    LinkMail,
    NoticeMail,
    PaceMail,
    QuestionMail,
    Rendered,
    Renderer,
    WebhookNoteMail,
    render_asked,
    render_link,
    render_notice,
    render_pace,
    render_question,
    render_webhook_note,
)

ROOT = Path(__file__).resolve().parent.parent

# Fixed tokens rather than freshly signed ones, so the samples only change when the templates do.
SITE = "https://intro.example.org"
EXAMPLE = FollowupMail(
    recipient_name="Dana Reyes",
    recipient_email="dana.reyes@example.org",
    introducer_name="Sam Carter",
    introducer_email="sam.carter@example.org",
    others=("Lee Park",),
    subject="Dana, meet Lee",
    made_on=date(2026, 3, 2),
    reminder=False,
    answer_urls={
        "helped": f"{SITE}/a/MQ.aBcD3f.Xk2p9Qw7LmN4rT0s?answer=helped",
        "not_yet": f"{SITE}/a/MQ.aBcD3f.Xk2p9Qw7LmN4rT0s?answer=not_yet",
        "no": f"{SITE}/a/MQ.aBcD3f.Xk2p9Qw7LmN4rT0s?answer=no",
    },
    unsubscribe_url=f"{SITE}/u/Mg.aBcD3f.Pq8sV1yZ6hJ3kW5e",
    reply_address="intro+f-3f9c2a7b1e4d8c6a5b20@intro.example.org",
    service_name="intro",
    service_url=SITE,
)


NOTICE = NoticeMail(
    kind="receipt", introducer_name="Sam Carter", introducer_email="sam.carter@example.org",
    others=("Dana Reyes", "Lee Park"), subject="Dana, meet Lee", made_on=date(2026, 3, 2), year=2026, goal=15,
    count=7, answers=(), unsubscribe_url=f"{SITE}/u/MQ.aBcD3f.Hn5t2Wq9ZpR1cV8e", service_name="intro",
    service_url=SITE,
)
SIGN_IN = LinkMail(purpose="sign_in", email="sam.carter@example.org", name="Sam Carter", year=None, inviter="",
                   url="https://intro.example.org/sign-in/IjEi.aBcD12.3eFgHiJkLmNoPqRsTuVwXyZ", lifetime="30 minutes",
                   service_name="intro", service_url="https://intro.example.org")
LINKS = (SIGN_IN,
         replace(SIGN_IN, purpose="join", name="", year=2026, lifetime="3 days",
                 url="https://intro.example.org/join/IjIi.aBcD12.3eFgHiJkLmNoPqRsTuVwXyZ"),
         replace(SIGN_IN, purpose="invite", name="", year=2026, inviter="Rosa Costa", lifetime="30 days",
                 url="https://intro.example.org/join/IjMi.aBcD12.3eFgHiJkLmNoPqRsTuVwXyZ"),
         replace(SIGN_IN, purpose="privacy", lifetime="a day"),
         replace(SIGN_IN, purpose="confirm", lifetime="7 days"),
         replace(SIGN_IN, purpose="held", email="rosa.costa@example.org", name="Rosa Costa", lifetime="a day"),
         replace(SIGN_IN, purpose="address", email="sam@carter-studio.example", name="", lifetime="3 days",
                 owner="Sam Carter <sam.carter@example.org>",
                 url="https://intro.example.org/address/IjQi.aBcD12.3eFgHiJkLmNoPqRsTuVwXyZ"))
ANSWERED = replace(NOTICE, kind="answered", answers=(("Dana Reyes", "helped"), ("Lee Park", "not_yet")))


QUESTION = QuestionMail(
    name="Sam Carter", subject="Thursday", sent_on=datetime(2026, 3, 3, 9, 15),
    candidates=(Candidate("dana@example.net", "Dana Reyes", True),
                Candidate("lee@example.org", "Lee Park", False)),
    log_url=f"{SITE}/q/MQ.aBcD3f.Qw7LmN4rT0sXk2p9?choice=log",
    not_url=f"{SITE}/q/MQ.aBcD3f.Qw7LmN4rT0sXk2p9?choice=not",
    never_url=f"{SITE}/q/never/Mg.aBcD3f.Zp6hJ3kW5ePq8sV1", service_name="intro", service_url=SITE,
)

PACE = PaceMail(
    name="Sam Carter", count=5, pace=11, goal=15, year=2026, team_count=130, team_goal=180,
    service_address="intro@tally.example", pause_url=f"{SITE}/pace/Mw.aBcD3f.Lq2rT8sWm4Xk?do=pause",
    stop_url=f"{SITE}/pace/Mw.aBcD3f.Lq2rT8sWm4Xk?do=stop", unsubscribe_url=EXAMPLE.unsubscribe_url,
    service_name="intro", service_url=SITE,
)

# Asking first: Sam asked Lee whether Lee would like to meet Dana. The nudge goes to Lee;
# the yes, "not this time", "no answer" and "whom did you ask?" to Sam; the introduction to both.
ASK_PAGE = f"{SITE}/c/Mw.aBcD3f.Tk4rW8nZ2pL6sQ1v"
NUDGE = AskedMail(
    kind="ask_nudge", recipient_name="Lee Park", introducer_name="Sam Carter",
    introducer_email="sam.carter@example.org", asked_name="Lee Park", asked_email="lee.park@example.org",
    other_name="Dana Reyes", other_email="dana.reyes@example.org", subject="Coffee with Dana?",
    asked_on=date(2026, 3, 2), answer_urls={a: f"{ASK_PAGE}?answer={a}" for a in ("yes", "not_now", "no")},
    send_url="", body="", ask_address="intro+ask@intro.example.org", expires_days=14, followup_days=14,
    unsubscribe_url=f"{SITE}/u/Mw.aBcD3f.Rt6yU2iO8pA4sD1f", service_name="intro", service_url=SITE,
)
TO_SAM = replace(NUDGE, recipient_name="Sam Carter", answer_urls={}, unsubscribe_url=NOTICE.unsubscribe_url)
ASKED = (NUDGE,
         replace(TO_SAM, kind="ask_yes", send_url=f"{SITE}/c/send/Mw.aBcD3f.Vb7xH3mK9cR5tY0u"),
         replace(TO_SAM, kind="ask_declined"),
         replace(TO_SAM, kind="ask_expired"),
         replace(TO_SAM, kind="ask_unclear", asked_name="", asked_email="", other_name="", other_email=""),
         replace(TO_SAM, kind="ask_introduction", recipient_name="", unsubscribe_url="", subject="Lee, meet Dana",
                 body="Lee, meet Dana Reyes. Dana, meet Lee Park.\n\n"
                      "Dana runs the bakery co-op on Elm Street, which has grown faster than its books: she is "
                      "looking for a bookkeeper who knows small co-ops.\n\n"
                      "Lee kept the books of the Riverside food co-op for six years, and said yes straight away "
                      "when I asked whether you two should talk.\n\n"
                      "I will let you take it from here. Coffee at the bakery might be the easiest start.\n\n"
                      "Sam"))

# To the organizer who added a webhook endpoint that failed every delivery for a day.
WEBHOOK_NOTE = WebhookNoteMail(url="https://hooks.example.com/intro",
                               disabled_at=datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
                               page_url=f"{SITE}/admin/webhooks", service_name="intro", service_url=SITE)


def every_mail(renderer: Renderer, language: str = "en") -> Iterator[tuple[str, Rendered]]:
    """Every mail of the examples above, rendered in ``language``."""
    for name, mail in (("followup", EXAMPLE), ("reminder", replace(EXAMPLE, reminder=True))):
        yield name, renderer.followup(mail, language)
    second = replace(EXAMPLE, introducer_name="Rosa Costa", introducer_email="rosa.costa@example.com",
                     others=("Kofi Mensah",), subject="Kofi <> Dana: solar co-op")
    yield "followups", renderer.followups([EXAMPLE, second], language)
    for link in LINKS:
        lifetime = lifetime_words(LIFETIME[LinkPurpose(link.purpose)], language)
        yield link.purpose, render_link(renderer, replace(link, lifetime=lifetime), language)
    for notice in (NOTICE, ANSWERED):
        yield notice.kind, render_notice(renderer, notice, language)
    yield "question", render_question(renderer, QUESTION, language)
    yield "pace", render_pace(renderer, PACE, language)
    for ask in ASKED:
        yield ask.kind, render_asked(renderer, ask, language)
    yield "webhook_disabled", render_webhook_note(renderer, WEBHOOK_NOTE, language)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", help="a folder of replacement templates, as [mail] templates")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "emails")
    args = parser.parse_args()
    renderer = Renderer(args.templates)
    (args.out / "translated").mkdir(parents=True, exist_ok=True)

    def write(path: Path, rendered: Rendered) -> None:
        # The subject is not a file of its own: it heads the text sample, as a mail client shows it.
        path.parent.joinpath(f"{path.name}.txt").write_text(f"Subject: {rendered.subject}\n\n{rendered.text}")
        path.parent.joinpath(f"{path.name}.html").write_text(rendered.html)
        print(f"{path}.txt, .html: {rendered.subject}")

    for name, rendered in every_mail(renderer):
        write(args.out / name, rendered)
    # Each mail in one language besides English too, the six taking turns (docs/LANGUAGES.md).
    others = [language for language in LANGUAGES if language != "en"]
    names = [name for name, _ in every_mail(renderer)]
    for n, name in enumerate(names):
        language = others[n % len(others)]
        rendered = dict(every_mail(renderer, language))[name]
        write(args.out / "translated" / f"{name}.{language}", rendered)

if __name__ == "__main__":
    main()
