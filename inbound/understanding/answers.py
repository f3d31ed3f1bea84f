"""Read the answer to "Did the introduction help?" from the new text of a plain reply.

Conservative on purpose: when the text does not say clearly, the answer is None and the reply
is filed for a person to review, because a wrong answer in the tallies is worse than none.

How a reply is read:

1. Fold it (NFKC, casefold, no accents, one apostrophe) and keep its beginning: at most three
   paragraphs, ending at a sign-off line ("Best,", "Viele Grüße") once something was said.
2. Split that into sentences. The first sentence that says anything decides; a later sentence
   can only add an explicit statement ("it didn't help"), and a contradiction makes it None.
3. In a sentence, "yet" clauses are read first ("nog niet geholpen" is not_yet, not "helped"),
   then negated help ("wasn't really helpful"), then the phrases of ``answer_phrases``, longest
   first and as whole words, so "know", "Nomad" and "non-profit" hold no "no", and "no problem,
   yes it helped" is yes. A sentence that ends in "?" asks rather than answers.

Emoji: 👍 (and ✅, 👌) alone is yes, 👎 alone is no; beside words they count as a bare yes/no.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from inbound.understanding import answer_phrases as phrases
from inbound.understanding.folding import fold as base_fold
from inbound.understanding.lexicon import trie, unspaced
from intro.meaning import AnswerValue

Kind = Literal["weak", "strong", "hedge", "neutral"]
Signal = tuple[Kind, AnswerValue | None]
HELPED, NO, NOT_YET = AnswerValue.HELPED, AnswerValue.NO, AnswerValue.NOT_YET

# The answer sits at the top of a reply; reading only this much keeps the work small and linear.
_MAX_CHARS = 4000
_MAX_PARAGRAPHS = 3

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc\u2032`\u00b4]")
_REPEATS = re.compile(r"(\w)\1{2,}")  # "Yesss", "Noooo"
_SPACES = re.compile(r"[^\S\n]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
# Whole words only; a hyphen or an @ joins words ("non-profit", "no@example.com").
_START = r"(?<![\w@'\-])"
_END = r"(?![\w@\-])"
_SEPARATORS = frozenset({"--", "__", "___", "\u2014"})  # "-- " is stripped to "--"


def fold(text: str) -> str:
    """Folded (see folding.py), with one apostrophe and stretched words shortened: "NÃO ❤" -> "nao ❤"."""
    return _REPEATS.sub(r"\1", _APOSTROPHES.sub("'", base_fold(text)))


def _key(phrase: str) -> str:
    """How a phrase is looked up: folded, one space between words, apostrophes dropped."""
    return " ".join(fold(phrase).replace("'", "").split())


def _alternation(items: Iterable[str]) -> str:
    # A trie (lexicon.trie): greedy, so at any position the most specific phrase wins; and
    # an apostrophe may be left out ("didn't" is often typed "didnt", "m'a" "ma").
    return trie({" ".join(fold(p).split()) for p in items})


def _words_of(items: Iterable[str]) -> str:
    """``items`` as whole words; those in scripts written without spaces (Chinese, Japanese,
    Thai) or with particles attached (Korean, Arabic, Hebrew) anywhere."""
    items = list(items)
    spaced = [p for p in items if not unspaced(p)]
    joined = [p for p in items if unspaced(p)]
    parts = [f"{_START}(?:{_alternation(spaced)}){_END}"] if spaced else []
    return "|".join(parts + ([f"(?:{_alternation(joined)})"] if joined else []))


def signal_phrases() -> list[tuple[str, Signal]]:
    """Every phrase of ``answer_phrases`` with what it signals."""
    tables: list[tuple[Kind, AnswerValue | None, Mapping[str, tuple[str, ...]]]] = [
        ("weak", HELPED, phrases.YES_WORDS), ("weak", NO, phrases.NO_WORDS),
        ("strong", HELPED, phrases.YES_PHRASES), ("strong", NO, phrases.NO_PHRASES),
        ("strong", NOT_YET, phrases.NOT_YET_PHRASES),
        ("hedge", None, phrases.HEDGES), ("neutral", None, phrases.NEUTRAL),
    ]
    return [(p, (kind, answer)) for kind, answer, table in tables for ps in table.values() for p in ps]


_SIGNALS = {_key(p): signal for p, signal in signal_phrases()}
_PAUSE_WORDS = frozenset(_key(p) for p in phrases.PAUSE_WORDS)
_WORD_AFTER = re.compile(r" \w")
_PHRASE = re.compile(_words_of(p for p, _ in signal_phrases()))
# A "yet" lead takes up to four more words of its clause (or, in a script without spaces,
# the rest of the clause); a negation finds its "yet" within four.
_WORDS = r"(?:[^\S\n]+[^\s.!?,;:]+)"
_CLAUSE = r"[^\s.!?,;:。！？，、]*"
_YET = re.compile(
    rf"(?:{_words_of(phrases.NOT_YET_LEADS)}){_CLAUSE}{_WORDS}{{0,4}}"
    rf"|{_START}(?:{_alternation(phrases.NEGATIONS)}){_END}{_WORDS}{{0,4}}?[^\S\n]+"
    rf"(?:{_alternation(phrases.YET_WORDS)}){_END}"
)
# "Wasn't really helpful": the negation is kept (it may be "not sure"), the "helpful" is taken.
_NOT_HELPED = re.compile(
    rf"{_START}(?:{_alternation(phrases.HELP_NEGATIONS)}){_END}"
    rf"(?:[^\S\n]+(?!(?:{_alternation(phrases.HELP_GAP_STOPPERS)}){_END})[^\s.!?,;:]+){{0,3}}?[^\S\n]+"
    rf"(?P<help>{_alternation(phrases.HELP_WORDS)}){_END}"
)
_SIGN_OFF = re.compile(rf"(?:{_alternation(phrases.SIGN_OFFS)}){_END}[^\n]{{0,40}}$")
_CLOSING = re.compile(rf"(?:{_alternation(phrases.SIGN_OFFS)})[\s,]*$")
_GREETING = re.compile(
    r"(?:hi|hello|hey|dear|hola|hallo|bonjour|salut|hoi|ola|oi|ciao|buongiorno|guten tag|moin"
    r"|good morning|morning|bom dia|goedemorgen|beste|liebe|lieber|estimado|estimada|caro|cara)"
    r"(?: [^\s,!:.]+){0,3}[,!:.]?$"
)


def _paragraphs(text: str) -> list[str]:
    """The first paragraphs before any sign-off, each on one line (format=flowed wraps sentences)."""
    paragraphs: list[list[str]] = [[]]
    said = False
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if line.startswith(">"):  # quoted text, which holds the question "yes, no, or not yet"
            continue
        # "Best," alone always starts a signature; "Thanks, yes it helped" opens a reply.
        if line in _SEPARATORS or _CLOSING.match(line) or (said and _SIGN_OFF.match(line)):
            break
        if line:
            paragraphs[-1].append(line)
            said = said or not _GREETING.match(line)
        elif paragraphs[-1]:
            if len(paragraphs) == _MAX_PARAGRAPHS:
                break
            paragraphs.append([])
    return [" ".join(lines) for lines in paragraphs if lines]


def _signals(sentence: str) -> list[Signal]:
    found: list[Signal] = [("strong", NOT_YET) for _ in _YET.finditer(sentence)]
    rest = _YET.sub(" ", sentence)
    found += [("strong", NO) for _ in _NOT_HELPED.finditer(rest)]
    # The negation stays (it may be "not sure"); the help word becomes a placeholder word, so
    # that a pause word before it ("tak membantu") is not read as an answer on its own.
    rest = _NOT_HELPED.sub(lambda m: m.group()[: m.start("help") - m.start()] + "_", rest)
    found += [_SIGNALS[_key(m.group())] for m in _PHRASE.finditer(rest)
              if not (_key(m.group()) in _PAUSE_WORDS and _WORD_AFTER.match(rest, m.end()))]
    found = [s for s in found if s[0] != "neutral"]
    if found and sentence.endswith("?"):
        found.append(("hedge", None))  # "Yes?" or "No idea what this is?" asks; it does not answer
    return found


def _resolve(deciding: list[Signal], later: set[AnswerValue]) -> AnswerValue | None:
    if any(kind == "hedge" for kind, _ in deciding):
        return None
    strong = {a for kind, a in deciding if kind == "strong" and a is not None} | later
    weak = {a for kind, a in deciding if kind == "weak" and a is not None}
    answers = strong | weak
    # "No, not yet" / "Nein, noch nicht": a bare no beside a "not yet" is not a contradiction.
    if answers == {NO, NOT_YET} and strong == {NOT_YET}:
        return NOT_YET
    return answers.pop() if len(answers) == 1 else None


def read_answer(new_text: str) -> AnswerValue | None:
    """Did the connection help? HELPED, NO, NOT_YET, or None when the text does not say clearly."""
    if not isinstance(new_text, str):
        return None
    sentences = [s.strip() for p in _paragraphs(fold(new_text[:_MAX_CHARS])) for s in _SENTENCE_END.split(p)]
    for i, sentence in enumerate(sentences):
        deciding = _signals(sentence)
        if deciding:
            # A later "we meet next week" does not take back a first "yes, it helped".
            later = {a for s in sentences[i + 1:] for kind, a in _signals(s) if kind == "strong" and a is not None
                     and not (a == NOT_YET and any(d == HELPED for _, d in deciding))}
            return _resolve(deciding, later)
    return None
