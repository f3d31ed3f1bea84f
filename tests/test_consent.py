"""Asking first (double opt-in): an ask copying intro+ask@, answered by reply-all or by
the buttons of the note, the introduction sent from the service or written by its
introducer; over real SMTP into the real server, every mail out to a real sink, on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from inbound.understanding.consent import named_addresses, read_consent
from intro import config as intro_config
from intro import merging, privacy
from intro.addresses import Address
from intro.config import Config
from intro.consent import who
from intro.db import transaction
from intro.models import AskMail, AskStatus, ConsentAsk, InboundMessage, IntroducerCount, Introduction, Person
from intro.timeutil import utcnow
from tests.conftest import free_port
from tests.loop_helpers import SERVICE, Sink, deliver, run
from web import create_app

ASK = "intro+ask@tally.example"
SAM = ("Sam Rivera", "sam@example.com")
LEE = ("Lee Park", "lee@example.org")
DANA = ("Dana Reyes", "dana@example.net")


def settings(sink_port: int) -> Config:
    return intro_config.load(environ={
        "INTRO_SERVICE_ADDRESS": SERVICE, "INTRO_SMTP_PORT": str(free_port()),
        "INTRO_RELAY_HOST": "127.0.0.1", "INTRO_RELAY_PORT": str(sink_port), "INTRO_RELAY_SECURITY": "none",
        "INTRO_BASE_URL": "https://intro.example.org"})


def mail(sender: tuple[str, str], to: list[tuple[str, str]], cc: list[tuple[str, str]], subject: str, text: str,
         replying_to: str | None = None) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = ", ".join(f"{n} <{a}>" for n, a in to)
    if cc:
        message["Cc"] = ", ".join(f"{n} <{a}>" if n else a for n, a in cc)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    if replying_to:
        message["In-Reply-To"] = message["References"] = replying_to
    message.set_content(text)
    return message.as_bytes(), str(message["Message-ID"])


def ask_lee(config: Config, engine: Engine) -> str:
    raw, message_id = mail(SAM, [LEE], [("", ASK)], "Would you like to meet Dana?",
                           "Hi Lee,\n\nwould you like to meet Dana Reyes <dana@example.net>? She runs the bakery "
                           "co-op on Elm Street and is looking for a bookkeeper.\n\nSam\n")
    deliver(config, engine, raw, rcpt=ASK, sender=SAM[1])
    return message_id


def the_ask(engine: Engine) -> ConsentAsk:
    with transaction(engine) as s:
        ask = s.scalars(select(ConsentAsk)).one()
        s.expunge(ask)
        return ask


def counted(engine: Engine) -> int:
    with transaction(engine) as s:
        return s.scalar(select(IntroducerCount.count).join(Person, Person.id == IntroducerCount.person_id)
                        .where(Person.email == SAM[1])) or 0


def sent_to(sink: Sink, start: int = 0) -> list[tuple[list[str], str]]:
    return [(rcpts, str(m["Subject"])) for _, rcpts, m in sink.received[start:]]


def link(message: EmailMessage, path: str) -> str:
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return re.search(rf'href="https://intro\.example\.org(/{path}[^"]+)"', html)[1]  # type: ignore[index]


def press(client: FlaskClient, url: str, **form: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    done = client.post(url.split("?")[0], data={"csrf_token": csrf, **form})
    assert done.status_code == 200, done.text
    return done.text


@pytest.mark.parametrize(("text", "answer"), [
    ("Yes, I would love to meet her!", "yes"), ("Sure, happy to.", "yes"), ("Ja, gerne!", "yes"),
    ("Oui, avec plaisir.", "yes"), ("Sí, me encantaría.", "yes"), ("Graag!", "yes"), ("Count me in", "yes"),
    ("Not right now, sorry, swamped.", "not_now"), ("Yes, but not now", "not_now"), ("Ahora no, gracias", "not_now"),
    ("Pas maintenant", "not_now"), ("Jetzt nicht, vielleicht später", "not_now"),
    ("No thanks.", "no"), ("Thanks, but I will pass.", "no"), ("I would rather not", "no"), ("Nee, liever niet", "no"),
    ("Hmm, who is she?", None), ("I know Dana already from the market", None),
    ("Yes!\n\n> would you like to meet Dana? Not now?", "yes"),
])
def test_an_answer_to_an_ask_is_read_in_many_languages(text: str, answer: str | None) -> None:
    assert read_consent(text) == answer


def test_whom_an_ask_asks_and_about_whom() -> None:
    lee, dana, kim = Address("lee@x.org", "Lee"), Address("dana@x.net", "Dana"), Address("kim@x.com")
    assert who((lee,), (), (dana,)) == who((lee,), (dana,), ()) == who((), (lee,), (dana,))
    assert who((lee,), (), (dana,)).asked == lee and who((lee,), (), (dana,)).other == dana
    assert who((lee, dana), (), ()).problem.startswith("sent to 2 people")
    assert who((lee,), (dana, kim), ()).problem.startswith("2 people copied")
    assert who((lee,), (), ()).problem.startswith("0 people named")
    assert [a.email for a in named_addresses("meet Dana Reyes <dana@x.net> or (kim@x.com)")] == ["dana@x.net",
                                                                                                  "kim@x.com"]
    assert named_addresses("José da Silva <jose@x.br>")[0].name == "José da Silva"


def test_yes_by_reply_all_then_send_the_introduction(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    asked = ask_lee(config, engine)
    ask = the_ask(engine)
    assert (ask.status, ask.asked_email, ask.other_email, ask.other_name) == (
        AskStatus.PENDING, LEE[1], DANA[1], "Dana Reyes")
    assert run(config, engine, utcnow()).asks == 0 and not sink[0].received  # an ask mails nobody

    raw, _ = mail(LEE, [SAM], [("", ASK)], "Re: Would you like to meet Dana?",
                  "Yes, happy to! Thanks for thinking of me.\n\nLee\n\n> would you like to meet Dana Reyes?",
                  replying_to=asked)
    deliver(config, engine, raw, rcpt=ASK, sender=LEE[1])
    assert (the_ask(engine).status, the_ask(engine).answer) == (AskStatus.ANSWERED, "yes")
    assert run(config, engine, utcnow()).asks == 1
    [(rcpts, subject)] = sent_to(sink[0])
    assert rcpts == [SAM[1]] and subject == "Lee Park said yes: introduce them to Dana Reyes"
    assert counted(engine) == 0  # not yet: only an introduction counts

    client = create_app(config, engine).test_client()
    send = link(sink[0].received[0][2], "c/send/")
    shown = client.get(send)
    assert "Send the introduction" in shown.text and "Lee, meet Dana Reyes. Dana, meet Lee Park." in shown.text
    done = press(client, send, subject="Lee, meet Dana", body="Lee, meet Dana: bakery co-op.\nDana, meet Lee: "
                 "bookkeeper.\n\nSam")
    assert "on its way" in done
    assert counted(engine) == 1
    assert run(config, engine, utcnow()).asks == 1
    _, rcpts, introduction = sink[0].received[1]
    assert sorted(rcpts) == [DANA[1], LEE[1]]  # one mail to both
    assert introduction["From"] == "Sam Rivera via intro <intro@tally.example>"
    assert introduction["Cc"] == "intro <intro@tally.example>"
    assert [a.strip() for a in str(introduction["Reply-To"]).split(",")] == [
        "Lee Park <lee@example.org>", "Dana Reyes <dana@example.net>", "Sam Rivera <sam@example.com>"]
    assert "Dana, meet Lee: bookkeeper." in introduction.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "List-Unsubscribe" not in introduction
    # Sending twice sends once; the page says it was made.
    again = client.get(send)
    assert "Introduced already" in again.text
    assert the_ask(engine).status == AskStatus.INTRODUCED

    # Dana's reply-all, copying the service, joins the introduction's thread: they connected.
    raw, _ = mail(DANA, [LEE], [SAM, ("", SERVICE)], "Re: Lee, meet Dana", "Lovely to meet you, Lee!",
                  replying_to=str(introduction["Message-ID"]))
    deliver(config, engine, raw, sender=DANA[1])
    with transaction(engine) as s:
        made = s.scalars(select(Introduction)).one()
        assert made.connected_at is not None and made.introducer.email == SAM[1]
    # The follow-ups go to both, in due time, like any introduction's.
    later = run(config, engine, utcnow() + config.followup.delay + timedelta(hours=1))
    assert later.sent == 2


def test_no_by_the_buttons_of_the_note_reaches_only_the_introducer(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    ask_lee(config, engine)
    assert run(config, engine, utcnow() + timedelta(days=2)).asks == 0  # not before [consent] nudge
    assert run(config, engine, utcnow() + timedelta(days=3, minutes=1)).asks == 1
    assert run(config, engine, utcnow() + timedelta(days=4)).asks == 0  # once
    [(rcpts, subject)] = sent_to(sink[0])
    assert rcpts == [LEE[1]] and subject == "Sam Rivera asks: would you like to meet Dana Reyes?"
    note = sink[0].received[0][2]
    assert note["List-Unsubscribe"] and note["Auto-Submitted"] == "auto-generated"
    client = create_app(config, engine).test_client()
    no = link(note, "c/") + "?answer=no"
    assert client.get(no.replace("&amp;", "&")).status_code == 200
    assert the_ask(engine).status == AskStatus.PENDING  # opening the link records nothing
    done = press(client, link(note, "c/").split("?")[0], answer="no")
    assert "not this time" in done
    assert run(config, engine, utcnow() + timedelta(days=4)).asks == 1
    assert sent_to(sink[0], 1) == [([SAM[1]], "Not this time: Lee Park and Dana Reyes")]
    assert all(DANA[1] not in rcpts for _, rcpts, _ in sink[0].received)  # Dana is never told
    assert counted(engine) == 0
    # "Send the introduction" is not possible after a no.
    with transaction(engine) as s:
        assert s.scalar(select(Person.id).where(Person.email == DANA[1])) is not None
        assert not s.scalars(select(AskMail).where(AskMail.kind == "yes")).all()


def test_unanswered_the_ask_expires_and_the_introducer_is_told_once(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    ask_lee(config, engine)
    run(config, engine, utcnow() + timedelta(days=3, minutes=1))  # the note to Lee
    assert run(config, engine, utcnow() + timedelta(days=14, minutes=1)).asks == 1
    assert run(config, engine, utcnow() + timedelta(days=20)).asks == 0
    assert [r for r, _ in sent_to(sink[0])] == [[LEE[1]], [SAM[1]]]
    assert sent_to(sink[0])[1][1] == "No answer from Lee Park about meeting Dana Reyes"
    assert the_ask(engine).status == AskStatus.EXPIRED


def test_an_introduction_its_introducer_writes_settles_the_ask(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    asked = ask_lee(config, engine)
    raw, _ = mail(LEE, [SAM], [("", ASK)], "Re: Would you like to meet Dana?", "Sure!", replying_to=asked)
    deliver(config, engine, raw, rcpt=ASK, sender=LEE[1])
    # Sam answers in the ask's thread, bringing Dana in: the introduction, still copying intro+ask@.
    raw, _ = mail(SAM, [LEE, DANA], [("", ASK)], "Re: Would you like to meet Dana?",
                  "Lee, meet Dana Reyes, who runs the bakery co-op. Dana, meet Lee Park, the bookkeeper I "
                  "mentioned. I will let you two take it from here.\n\nSam", replying_to=asked)
    deliver(config, engine, raw, rcpt=ASK, sender=SAM[1])
    ask = the_ask(engine)
    assert ask.status == AskStatus.INTRODUCED and ask.introduction_id is not None
    assert counted(engine) == 1
    run(config, engine, utcnow() + timedelta(days=5))
    assert sent_to(sink[0]) == []  # the "said yes" was cancelled: the introduction was made


def test_an_unclear_reply_brings_the_buttons_at_once(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    asked = ask_lee(config, engine)
    raw, _ = mail(LEE, [SAM], [("", ASK)], "Re: Would you like to meet Dana?", "Who is she, remind me?",
                  replying_to=asked)
    deliver(config, engine, raw, rcpt=ASK, sender=LEE[1])
    assert the_ask(engine).status == AskStatus.PENDING
    assert run(config, engine, utcnow()).asks == 1
    assert sent_to(sink[0])[0][0] == [LEE[1]]


def test_an_unclear_ask_tells_its_sender_how_to_ask(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    raw, _ = mail(SAM, [LEE, ("Kim", "kim@example.com")], [("", ASK)], "Lunch?", "Would you two like to meet?")
    deliver(config, engine, raw, rcpt=ASK, sender=SAM[1])
    assert the_ask(engine).status == AskStatus.UNCLEAR
    assert run(config, engine, utcnow()).asks == 1
    assert sent_to(sink[0]) == [([SAM[1]], 'Asking first: whom did you ask in "Lunch?"')]
    with transaction(engine) as s:
        assert "unclear (sent to 2 people" in str(s.scalars(select(InboundMessage.note)).one())


def test_export_forget_and_merge_cover_asks(engine: Engine, sink: tuple[Sink, int]) -> None:
    config = settings(sink[1])
    asked = ask_lee(config, engine)
    raw, _ = mail(LEE, [SAM], [("", ASK)], "Re: Would you like to meet Dana?", "No thanks.", replying_to=asked)
    deliver(config, engine, raw, rcpt=ASK, sender=LEE[1])
    with transaction(engine) as s:
        sam, lee, dana = (privacy.export(s, e) for e in (SAM[1], LEE[1], DANA[1]))
    assert sam is not None and lee is not None and dana is not None
    assert [(a["asked"], a["about"], a["answer"]) for a in sam["asks_made"]] == [
        (LEE[1], DANA[1], "not this time")]  # as Sam was told: not whether it was "not now" or "no"
    assert [(a["by"], a["about"], a["answer"], a["how"]) for a in lee["asks_answered"]] == [
        (SAM[1], DANA[1], "no", "reply")]
    assert dana["asks_made"] == dana["asks_answered"] == []  # Dana never hears of a "no"

    with transaction(engine, write=True) as s:
        work = Person(email="lee@work.example", display_name="Lee Park")
        s.add(work)
        s.flush()
        merging.merge(s, work.id, s.scalars(select(Person.id).where(Person.email == LEE[1])).one(), utcnow())
        assert s.scalars(select(ConsentAsk.asked_id)).one() == work.id
    with transaction(engine, write=True) as s:
        assert privacy.forget(s, DANA[1])
    with transaction(engine) as s:
        assert s.scalars(select(ConsentAsk)).all() == [] and s.scalars(select(AskMail)).all() == []
