"""Reading "did the introduction help?" from a plain reply: inbound.understanding.answers.read_answer.

Expected answers are written in the words of the labelled samples ("yes", "no", "not_yet"),
read through the same mapping `intro inspect` prints them with.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from inbound.cli import answer_label
from inbound.understanding import answer_phrases
from inbound.understanding.answers import _key, read_answer, signal_phrases

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

_QUOTE_START = re.compile(r"^(?:>|On .+ wrote:$|Am .+ schrieb|From: |-- $|Sent from my )")


def _local_new_text(body: str) -> str:
    """Just enough reply stripping for the samples, until inbound.understanding.quotes exists."""
    lines: list[str] = []
    for line in body.splitlines():
        if _QUOTE_START.match(line):
            break
        lines.append(line)
    return "\n".join(lines)


try:
    from inbound.understanding.quotes import new_text
except ImportError:
    new_text = _local_new_text


YES = [
    # English
    "Yes", "Yes!", "yes.", "YES", "Yesss!!!", "yep", "Yup 🙂", "yeah, we're doing a pilot together", "definitely",
    "Definitely, thank you", "it did", "It did!", "it really did", "absolutely, thanks", "Of course!", "sure did",
    "It helped a lot", "Very helpful, thanks!", "no problem, yes it helped", "No worries, it was very helpful",
    "Yes, no doubt", "Hi Tally,\nThanks, yes it helped!", "Hi Sam,\n\nYes, it helped.\n\nBest,\nLee",
    "Yes!\n\nBest,\nSi Morgan", "Yes, Tomasz basically saved us a month.\n\nThanks!", "No doubt it helped",
    "Not only did we meet, it helped a lot", "Yes, no one else knew the market like him",
    # German
    "Ja", "Ja, sehr hilfreich", "Ja, hat sehr geholfen!", "Auf jeden Fall", "Jawohl, danke!",
    # Spanish
    "Sí, mucho", "Si, mucho", "Si!", "Si claro",
    "¡Sí! Me ayudó mucho", "Claro que sí", "Por supuesto", "Muy útil, gracias",
    # French
    "Oui, beaucoup", "Oui !", "Ça m'a beaucoup aidé", "Tout à fait, très utile", "Bien sûr",
    # Dutch
    "Ja, zeker", "Jazeker!", "Het heeft echt geholpen", "Heel nuttig, bedankt",
    # Portuguese
    "Sim, ajudou muito", "Sim!", "Com certeza", "Foi útil, obrigado",
    # Italian
    "Sì, molto utile", "Certo, mi ha aiutato", "Assolutamente sì",
    # Emoji: a thumbs-up answers "did it help?" with yes, in any skin tone.
    "👍", "👍🏽", "✅", "👍 thanks!",
]

NO = [
    # English
    "No", "No.", "no, unfortunately", "Unfortunately not", "nope", "Nah", "NOOOO", "Not really",
    "Not really, we never found time", "it didn't help", "It didnt help", "It did not help, sorry",
    "not at all", "Not helpful", "Wasn't really helpful", "We never met", "No, it didn't work out",
    "Sadly no.", "Hi,\n\nNo, unfortunately.\n\nCheers,\nSi", "I wouldn't say it helped", "Not that it helped much",
    "Es war nicht so hilfreich", "No fue muy útil", "Ça ne m'a pas vraiment aidé", "Het was niet zo nuttig",
    "Não foi muito útil", "Non è stato molto utile",
    # German
    "Nein", "Nein, leider nicht", "Leider nicht", "Nicht wirklich", "Es hat nicht geholfen", "Nö",
    # Spanish
    "No, la verdad no", "Para nada", "No me ayudó", "Lamentablemente no",
    # French
    "Non", "Non, pas vraiment", "Pas du tout", "Ça n'a pas aidé", "Malheureusement non",
    # Dutch
    "Nee", "Nee, helaas niet", "Niet echt", "Het heeft niet geholpen",
    # Portuguese, with and without the accent
    "Não", "Nao", "Não, infelizmente", "Nao, infelizmente", "Não ajudou", "Nem por isso",
    # Italian
    "No, purtroppo", "Non proprio", "Per niente", "Non mi ha aiutato",
    # Emoji
    "👎",
]

NOT_YET = [
    # English
    "not yet", "Not yet!", "Not yet, meeting next week", "Not yet — we had to push our call, meeting next week.",
    "haven't met yet", "We haven't met yet", "We havent had time to talk yet", "we're meeting next week",
    "too early to tell", "Too soon to say", "No, not yet", "Nope, not yet", "No luck yet",
    "It hasn't helped yet", "Still waiting to hear back", "Early days!", "We are yet to meet",
    "Not really, we haven't met yet",
    # German: "noch nicht" is not yet, not "no"
    "noch nicht", "Noch nicht", "Nein, noch nicht", "Wir haben uns noch nicht getroffen", "Leider noch nicht",
    "Zu früh, um das zu sagen", "Bisher nicht",
    # Spanish
    "todavía no", "Todavia no", "aún no", "Aun no", "No, todavía no", "Es pronto para saberlo",
    "No nos hemos reunido todavía",
    # French
    "pas encore", "Pas encore", "Non, pas encore", "On ne s'est pas encore parlé", "C'est trop tôt",
    # Dutch: "nog niet" is not yet, not "no"
    "nog niet", "Nog niet", "Nee, nog niet", "Het heeft nog niet geholpen", "Nog geen tijd gehad",
    "Te vroeg om te zeggen",
    # Portuguese
    "ainda não", "Ainda nao", "Não, ainda não", "Ainda é cedo",
    # Italian
    "Non ancora", "No, non ancora", "È ancora presto", "Non ci siamo ancora sentiti",
]

UNCLEAR = [
    # Nothing said, or no answer in it
    "", "   ", "\n\n\n", "Thanks!", "Best, Lee", "Thanks for checking in.", "Great, thanks!", "Who is this?",
    "Sorry, which intro?", "Maybe", "maybe?", "Perhaps", "Not sure", "I don't know", "Hard to say",
    "Kind of", "I'm not sure it helped", "Vielleicht", "Jein", "Quizás", "Peut-être", "Bof", "Misschien", "Talvez",
    "Forse",
    # Contradictions
    "yes and no", "Yes and no", "Ja und nein", "Oui et non", "Sí y no", "Yes. It didn't help.",
    "Yes, but we haven't met yet", "Yes no", "yes, no, or not yet",
    # Questions are not answers
    "Yes?", "No?", "Did it?",
    # A negative inside another word is no negative
    "I know", "Nobody told me", "Nomad Capital", "Our non-profit", "Nothing new here", "Noted",
    "nonetheless", "Nose", "Nota bene", "Yesterday", "Sino", "Oui-ja board", "no@example.com",
    # Spanish and French "si" is also "if"
    "Si hubiera tenido tiempo...", "Si on avait eu le temps",
    # A sign-off or signature says nothing
    "Best,\nSi", "--\nYes Consulting GmbH", "Cheers,\nNoah",
    # Stop / unsubscribe is not an answer
    "Unsubscribe", "Please remove me",
]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert answer_label(read_answer(text)) == "yes"


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert answer_label(read_answer(text)) == "no"


@pytest.mark.parametrize("text", NOT_YET)
def test_not_yet(text: str) -> None:
    assert answer_label(read_answer(text)) == "not_yet"


@pytest.mark.parametrize("text", UNCLEAR)
def test_unclear_is_none(text: str) -> None:
    assert read_answer(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    # The first sentence decides; a later explicit statement that disagrees makes it unclear.
    ("Yes! We are doing a pilot. No complaints so far.", "yes"),
    ("No complaints, it helped", "yes"),
    ("No. We haven't met yet.", "not_yet"),
    ("Thanks for the intro.\nYes, very helpful.", "yes"),
    ("Thanks!\n\nNo, unfortunately", "no"),
    # Anything after a sign-off or far below the answer is not read.
    ("Yes it helped\nBest,\nLee\nNo Limits Ltd", "yes"),
    ("Yes\n\nFirst paragraph.\n\nSecond.\n\nThird: it didn't help.", "yes"),
    # Quoted text that slipped through is not read.
    ("> Just reply with yes, no, or not yet.\nNot yet", "not_yet"),
])
def test_beginning_weighs_most(text: str, expected: str) -> None:
    assert answer_label(read_answer(text)) == expected


@pytest.mark.parametrize("text", [
    "\ud800 yes",  # a lone surrogate, as surrogateescape leaves undecodable bytes
    "\x00\x01\x02",
    "\ufeffYes",  # a BOM
    "Y\u200bes",  # a zero-width space in a word
    "\u202eoN",  # a bidi override
    "e\u0301" * 1000,  # many combining accents
    "ﬀ ㎏ Ⅻ ＹＥＳ",  # compatibility characters
    "🏳️‍🌈👨‍👩‍👧",
])
def test_odd_unicode_never_raises(text: str) -> None:
    assert answer_label(read_answer(text)) in {"yes", "no", "not_yet", None}


def test_fullwidth_and_bom_are_folded() -> None:
    assert answer_label(read_answer("ＹＥＳ")) == "yes"
    assert answer_label(read_answer("\ufeffYes")) == "yes"


@pytest.mark.parametrize("text", [
    "no " * 500_000,
    "not " + "a " * 200_000 + "yet",
    ("a " * 50 + "\n") * 20_000,
    "x" * 1_000_000,
    "\n" * 1_000_000,
    "Yes. " + "it didn't help " * 100_000,
])
def test_huge_or_pathological_input_returns(text: str) -> None:
    # Only the beginning is read, and no pattern backtracks; this must simply come back.
    assert answer_label(read_answer(text)) in {"yes", "no", "not_yet", None}


def test_not_a_string_is_none() -> None:
    assert read_answer(None) is None  # type: ignore[arg-type]
    assert read_answer(b"yes") is None  # type: ignore[arg-type]


def test_each_phrase_has_one_meaning() -> None:
    seen: dict[str, tuple[str, Any]] = {}
    for phrase, signal in signal_phrases():
        assert seen.setdefault(_key(phrase), signal) == signal, f"{phrase!r} is in two tables"


@pytest.mark.parametrize(("phrase", "signal"), signal_phrases(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_phrase_alone_reads_as_its_table(phrase: str, signal: tuple[str, str | None]) -> None:
    kind, answer = signal
    assert read_answer(phrase) == (answer if kind in ("weak", "strong") else None)


@pytest.mark.parametrize("lead", answer_phrases.NOT_YET_LEADS)
def test_each_yet_lead_is_not_yet(lead: str) -> None:
    assert answer_label(read_answer(f"{lead} met")) == "not_yet"


def _survey_replies() -> list[Any]:
    labels_file = SAMPLES / "labels.json"
    if not labels_file.is_file():
        return [pytest.param("", None, marks=pytest.mark.skip(reason=f"shared samples not found at {SAMPLES}"))]
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    return [pytest.param(name, label["answer"], id=name)
            for name, label in sorted(labels.items()) if label["kind"] == "survey_reply"]


@pytest.mark.parametrize(("name", "expected"), _survey_replies())
def test_survey_reply_samples(name: str, expected: str | None) -> None:
    msg = email.message_from_bytes((SAMPLES / name).read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None, f"{name} has no text/plain part"
    assert answer_label(read_answer(new_text(body.get_content()))) == expected
