"""Is a new message to two or more people an introduction? Evidence, weighed into one score.

A message is an introduction because of what it does, and most of that shows without
knowing its language: it names each of the people it is sent to, outside the greeting,
and says something about each to the other; its subject pairs them. The words of
introducing (lexicon.py, in many languages) are one signal among these. Against: thanks
for an introduction, an announcement, a meeting agenda, a calendar invitation,
attachments, a crowd of recipients.

Every signal adds its weight to the score, and names itself in ``evidence``, so a
decision can always be explained (`intro inspect --explain`). At THRESHOLD or above it
is an introduction; between DOUBT and THRESHOLD it is a likely one that its sender is
asked about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message

from anyascii import anyascii

from inbound.understanding import lexicon, providers
from inbound.understanding.folding import fold, words
from inbound.understanding.intro_phrases import FOR_INFORMATION, INTRODUCING, SUBJECT, THANKING
from inbound.understanding.mime import content_type, parts
from inbound.understanding.names import first, forms_of, mentions, mentions_declined, shortened
from intro.addresses import Address

THRESHOLD = 3.0
# Of a message in a thread, this much (its new text and the quotes just below) is enough to
# see whether the thread is an introduction's.
_THREAD_TEXT = 8_000
DOUBT = 1.5  # below THRESHOLD, at or above this: worth asking its sender

# The weights, documented in docs/CLASSIFICATION.md.
WORDS = 3.0  # the words of introducing ("let me introduce", "vi presento", "познакомить"), aimed at them
SOME_WORDS = 1.5  # words that introduce people, or products and meetings ("紹介", "kennenlernen"), or
# the words of introducing not aimed at the people it is sent to ("introduce you to our platform")
MUTUAL = 1.5  # "you two", "each other", "ihr beiden", "お二人"
SUBJECT_PAIRS = 2.0  # the subject names two of them ("Dana <> Lee", "Dana / Lee")
SUBJECT_WORD = 1.0  # the subject says "intro", "Vorstellung", "紹介" or pairs two things with <>
NAMED_ALL = 1.5  # the body names every one of them, outside the greeting
NAMED_SOME = 0.5  # the body names some of them
DESCRIBED = 1.0  # sentences about two or more of them ("Lee runs ...", "Dana is ...")
TOLD_ABOUT = 1.5  # one of them addressed and told about another ("Dana, meet Lee", "Dana: Lee is ...")
GREETS_THEM = 0.5  # the greeting names two or more of them ("Hi Dana and Lee")
THANKS = -4.0  # thanks for an introduction: what the people introduced write back
ANNOUNCES = -3.0  # "introducing our new plan": a product, not people
MEETING = -1.5  # an agenda or minutes among people who already work together
CALENDAR = -4.0  # a calendar invitation
ATTACHMENT = -1.0  # documents attached: work passed along, rarely an introduction
CROWD = -2.0  # more than CROWD_SIZE people: a group mail
CROWD_SIZE = 5
ONESELF = -3.0  # the sender introduces themselves ("allow me to introduce myself")
ALREADY_MET = -3.0  # they have met already ("now that you two have met", "ya que os habéis conocido")
COLLEAGUES = -1.5  # all of them at one organisation's domain: they already work together
# Words of introducing are aimed at people when one of them is named this close (in characters,
# before or after), or the text speaks to them together ("you two").
NEAR = 80

_GREETING_WORDS = lexicon.pattern((
    "hi", "hello", "hey", "dear", "hiya", "morning", "good morning", "hallo", "hi zusammen", "liebe", "lieber",
    "sehr geehrte", "moin", "servus", "hola", "estimado", "estimada", "estimados", "queridos", "bonjour", "salut",
    "chers", "cher", "chère", "ciao", "buongiorno", "gentile", "cari", "olá", "ola", "oi", "caros", "bom dia",
    "hoi", "beste", "dag", "goedemorgen", "cześć", "witajcie", "dzień dobry", "szanowni", "hej", "hejsan",
    "god morgen", "hei", "moi", "terve", "hyvää huomenta", "привет", "здравствуйте", "добрый день", "привіт",
    "добрий день", "merhaba", "selam", "sayın", "γεια", "καλημέρα", "αγαπητοί", "ahoj", "dobrý den", "szia",
    "sziasztok", "kedves", "jó napot", "bună", "salut", "dragi", "こんにちは", "お疲れ様", "各位", "你好", "您好",
    "大家好", "안녕하세요", "مرحبا", "السلام عليكم", "שלום", "नमस्ते", "halo", "hai", "selamat pagi", "xin chào",
    "chào", "สวัสดี", "bok", "zdravo", "здравейте", "tere", "labas", "sveiki",
))
_CONJUNCTIONS = frozenset(("and", "und", "y", "e", "et", "i", "og", "och", "ja", "и", "ve", "και", "a", "es", "si",
                           "dan", "va", "en", "oraz", "a", "ו", "و"))
_SENTENCE = re.compile(r"[^.!?。！？\u0964\u061f\u06d4\n]+")
# After a name, what shows it is spoken to: a comma, colon or dash, perhaps after a family
# name or an honorific ("Dana,", "Dana Osei:", "Herr Ott,", "田中さん、", "Lee —").
_VOCATIVE = re.compile(r"(?:\s*[^\W\d_][\w.'\-]{0,15}?)?\s*[,:;\u2014\u2013\-،，：、]"
                       r"|\w{0,6}[,:;\u2014\u2013\-،，：、]")
_PHONETIC = re.compile(r"[\u0370-\u058f\u0900-\u0e7f\u10a0-\u11ff\u3040-\u30ff\uac00-\ud7af]+")
_SUBJECT_SEPARATOR = re.compile(r"(?:<>|<->|<=>|\u2194|\u21c4|\u27f7|/|\+|&|\bx\b|\||\u00d7|,|\band\b|\bund\b|\by\b"
                                r"|\bet\b|\be\b|\bi\b|\bog\b|\boch\b|\bja\b|\bв\b|\bи\b|\bve\b|\bκαι\b|\ba\b|\bés\b"
                                r"|\bși\b|\bdan\b|\bvà\b|和|と|및|와|과|و|ו)")
# Parts that come with a person's mail without being documents: signatures, keys, Outlook's wrapper.
_NOT_DOCUMENTS = ("application/ics", "application/pkcs7-signature", "application/x-pkcs7-signature",
                  "application/pgp-signature", "application/pgp-keys", "application/ms-tnef")
# Two capitalised words joined as a subject pairs two people: "Zuzka a Peter", "Ana / Rui".
_NAME_PAIR = re.compile(r"^\W*(?:[^\W\d_][^\W\d_]+[:\s]+)?(?-i:[A-ZÀ-ÞĀ-ž][^\W\d_]+)\s*(?:<>|/|\+|&|\bx\b|\u2013|\u2014"
                        r"|\band\b|\bund\b|\by\b|\bet\b|\be\b|\bi\b|\bog\b|\boch\b|\bja\b|\ba\b|\bés\b|\bși\b"
                        r"|\bdan\b|\bve\b)\s*(?-i:[A-ZÀ-ÞĀ-ž][^\W\d_]+)\W*$", re.IGNORECASE)
_INTRODUCING = lexicon.pattern([w for w in lexicon.every(lexicon.INTRODUCING) if w not in lexicon.AMBIGUOUS])
_AMBIGUOUS = lexicon.pattern(list(lexicon.AMBIGUOUS))
_MUTUAL = lexicon.pattern(lexicon.every(lexicon.MUTUAL))
_NOUNS = lexicon.pattern(lexicon.INTRODUCTION_NOUNS)
_THANKS = lexicon.pattern(lexicon.every(lexicon.THANKS))
_THANKS_AROUND = lexicon.around(lexicon.THANKS_AROUND)
_ANNOUNCING = lexicon.pattern(lexicon.every(lexicon.ANNOUNCING))
_INFORMED = lexicon.pattern(lexicon.every(lexicon.FOR_INFORMATION))
_MEETING = lexicon.pattern(lexicon.every(lexicon.MEETING))
_ONESELF = lexicon.pattern(lexicon.every(lexicon.INTRODUCING_ONESELF))
_ALREADY_MET = lexicon.pattern(lexicon.every(lexicon.ALREADY_MET))
# What words of introducing are aimed at when a preposition follows them: "introduce you
# both to <it>", "presentaros a <it>", "vous présenter à <it>".
_TO_SOMETHING = re.compile(r"\s*(?:you |vous |os |les |euch |jullie )?(?:both |two |all |the two of you )?"
                           r"(?:to|with|a|à|al|alla|ao|zu|mit|met|aan)\s+"
                           r"(?!each other|one another|el uno al otro|l'un)([^.!?\n]{0,40})")


@dataclass(frozen=True)
class Weighed:
    score: float
    evidence: tuple[str, ...]  # each signal with its weight, "+3.0 words of introducing: 'vi presento'"
    named: tuple[str, ...] = ()  # the addresses of those the text names
    told: bool = False  # one of them is told about another ("Dana, meet Lee")

    @property
    def introduction(self) -> bool:
        return self.score >= THRESHOLD


def weigh(text: str, subject: str, parties: tuple[Address, ...], message: Message | None = None) -> Weighed:
    """How strongly a new message with this (new) text and subject, sent to ``parties``,
    introduces them to one another."""
    found: list[tuple[float, str]] = []
    body = _unwrapped(fold(text))
    folded_subject = fold(subject)
    greeting, rest = _greeting(body)
    names = {p.email: shortened(forms_of(p), text) for p in parties}
    # Names are looked for in the text and in it written in Latin letters: a header's
    # "Dmitry Ivanov" is "Дмитрий" in a Russian text, "Rohit" is "रोहित", "Dana" "ダナ".
    greeting, rest = _with_latin(greeting), _with_latin(rest)

    mutual = _MUTUAL.search(body)
    said, aimed = _aimed_words(rest, names, mutual is not None)
    if said and aimed:
        found.append((WORDS, f"words of introducing: {_quote(said)}"))
    elif said:
        found.append((SOME_WORDS, f"words of introducing, but none of them named near: {_quote(said)}"))
    elif some := _AMBIGUOUS.search(body) or _INTRODUCING.search(greeting) or INTRODUCING.search(greeting):
        found.append((SOME_WORDS, f"words that may introduce: {_quote(some.group())}"))
    if mutual:
        found.append((MUTUAL, f"speaks to them together: {_quote(mutual.group())}"))
    found += _subject(folded_subject, names, subject) or _subject(_latin(folded_subject), names)
    named = [email for email, forms in names.items() if any(mentions(rest, n) for n in forms)]
    if len(named) == len(parties) >= 2:
        found.append((NAMED_ALL, f"names all {len(parties)} of them in the text"))
    elif named:
        found.append((NAMED_SOME, f"names {len(named)} of {len(parties)} in the text"))
    described = _described(rest, names)
    if len(described) >= 2:
        found.append((DESCRIBED, f"sentences about {len(described)} of them"))
    told = _told_about(rest, names)
    if told:
        found.append((TOLD_ABOUT, "tells one of them about another"))
    greeted = [email for email, forms in names.items() if any(mentions(greeting, n) for n in forms)]
    if len(greeted) >= 2:
        found.append((GREETS_THEM, f"greets {len(greeted)} of them"))
    found += _against(body, folded_subject, message, parties)
    score = round(sum(weight for weight, _ in found), 2)
    return Weighed(score, tuple(f"{weight:+.1f} {what}" for weight, what in found), tuple(sorted(named)), told)


def thanked(body: str) -> str:
    """The thanks for an introduction in a (folded) text, unless it also introduces someone
    new ("thanks for the intro to Lee; Lee, meet Kim"); "" when there is none."""
    found = _THANKS.search(body) or _THANKS_AROUND.search(body) or THANKING.search(body)
    if found is None:
        return ""
    rest = THANKING.sub(" ", _THANKS_AROUND.sub(" ", _THANKS.sub(" ", body)))
    return "" if _INTRODUCING.search(rest) or INTRODUCING.search(rest) else found.group().strip()


def introduces(text: str, parties: tuple[Address, ...]) -> str:
    """The words of introducing in a text, aimed at ``parties`` (one of them named near, or
    "you two"); "" when there are none, they are aimed at something else ("I would like to
    present our platform to you") or the text thanks for an introduction."""
    body = _unwrapped(fold(text))
    said, aimed = _aimed_words(body, {p.email: forms_of(p) for p in parties}, _MUTUAL.search(body) is not None)
    return said.strip() if aimed and not thanked(body) else ""


def _aimed_words(text: str, names: dict[str, frozenset[str]], mutual: bool) -> tuple[str, bool]:
    """The first words of introducing in ``text`` that are aimed at one of those ``names``
    name (or at them all, when ``mutual``); failing that the first words at all; and whether
    they were aimed."""
    earliest = ""
    for pattern in (_INTRODUCING, INTRODUCING):
        for found in pattern.finditer(text):
            near = _with_latin(text[max(0, found.start() - NEAR):found.end() + NEAR])
            # "introduce you both to Flowdesk": to something, or someone, not copied.
            to = _TO_SOMETHING.match(text, found.end())
            if to:
                aimed = any(mentions(to.group(1), form) for forms in names.values() for form in forms)
            else:
                aimed = mutual or any(mentions(near, form) for forms in names.values() for form in forms)
            if aimed:
                return found.group(), True
            earliest = earliest or found.group()
    return earliest, False


def newcomers(text: str, written: str, parties: tuple[Address, ...]) -> tuple[Address, ...]:
    """Those of ``parties`` that the quoted part of a message in a thread (its whole
    ``text`` less what was ``written`` in it) neither names nor gives the address of: the
    people its sender brings into the thread."""
    quoted = _with_latin(fold(_quoted(text, written)))
    return tuple(p for p in parties
                 if p.email not in quoted and not any(mentions(quoted, form) for form in forms_of(p)))


def informing(text: str) -> bool:
    """Whether the text says anywhere that someone is copied for information (if not, as
    usually, nobody need be looked for)."""
    body = fold(text)
    return bool(_INFORMED.search(body) or FOR_INFORMATION.search(body))


def only_informed(person: Address, text: str) -> bool:
    """Whether every sentence that names ``person`` says they are copied only to be kept
    informed ("Yuki, no action needed", "Kari for orientering", "抄送王经理")."""
    body = fold(text)
    forms = forms_of(person)
    naming = [s for s in _sentences(_unwrapped(body)) if any(mentions_declined(s, n) for n in forms)]
    return bool(naming) and all(_INFORMED.search(s) or FOR_INFORMATION.search(s) for s in naming)


def introduction_thread(text: str, subject: str, people: tuple[Address, ...], written: str = "") -> str:
    """Why a message in a thread (its whole text, quotes included, and its subject without
    "Re:") belongs to an introduction's thread; "" when nothing shows that it does. What it
    quotes (the whole ``text`` less what was ``written`` in it) counts as a new message
    would: "Hallo ihr zwei, ... Jonas baut ..., Mira ist ..." is an introduction."""
    if found := _subject(fold(subject), {p.email: forms_of(p) for p in people}):
        return found[0][1]
    body = fold(text[:_THREAD_TEXT])
    if thanks := thanked(body):
        return f"thanks for an introduction: {thanks!r}"
    if said := _INTRODUCING.search(body) or _AMBIGUOUS.search(body) or INTRODUCING.search(body):
        return f"the thread has words of introducing: {_quote(said.group())}"
    if written and len(people) >= 3 and weigh(_quoted(text, written)[:_THREAD_TEXT], subject, people).introduction:
        return "it quotes an introduction of them"
    return ""


def _quoted(text: str, written: str) -> str:
    """The lines of ``text`` that are not in what was ``written``: what it quotes."""
    own = {line.strip() for line in written.splitlines() if line.strip()}
    return "\n".join(line for line in text.splitlines() if line.strip() not in own)


def _latin(text: str) -> str:
    """The (folded) text's words in scripts that spell sounds (Cyrillic, Greek, the Indic
    scripts, kana, Hangul, ...) in Latin letters; "" when it has none. Not Chinese
    characters or the Arabic and Hebrew scripts: their Latin spelling is not a name's."""
    if not _PHONETIC.search(text):
        return ""
    return fold(_PHONETIC.sub(lambda run: anyascii(run.group()), text))


def _with_latin(text: str) -> str:
    """The text, and on a line of its own after it, what ``_latin`` makes of it."""
    latin = _latin(text)
    return f"{text}\n{latin}" if latin else text


def _unwrapped(text: str) -> str:
    """Lines of a paragraph wrapped by the client (format=flowed ends them with a space) joined."""
    return re.sub(r"[ \t]\n(?=\S)", " ", text)


def _greeting(body: str) -> tuple[str, str]:
    """The greeting line ("Hi Dana and Lee,") and the rest of the text."""
    lines = body.strip().split("\n")
    opening = lines[0].strip() if lines else ""
    short = len(opening) <= 80 and len(words(opening)) <= 8
    ends = (",", "!", ":", "，", "！", "：", "،", "\u2014", "\u2013", "-")
    if short and (opening.endswith(ends) or _GREETING_WORDS.match(opening)):
        # A greeting that runs into the text ("Hi Dana, meet Lee.") keeps its text.
        head, comma, tail = opening.partition(",")
        if comma and len(words(tail)) >= 3:
            return head, tail + "\n" + "\n".join(lines[1:])
        return opening, "\n".join(lines[1:])
    return "", body


def _subject(subject: str, names: dict[str, frozenset[str]], written: str = "") -> list[tuple[float, str]]:
    """``subject`` folded; ``written``: as it was written (capital letters tell names)."""
    if not subject:
        return []
    named = [email for email, forms in names.items() if any(mentions(subject, n) for n in forms)]
    if len(named) >= 2 and _SUBJECT_SEPARATOR.search(subject):
        return [(SUBJECT_PAIRS, f"the subject pairs {len(named)} of them")]
    if named and _NAME_PAIR.search(written):
        # One of them beside another name, by a nickname the header does not give: "Zuzka a Peter".
        return [(SUBJECT_PAIRS, "the subject pairs one of them with another name")]
    noun = _NOUNS.search(subject) or _INTRODUCING.search(subject) or _AMBIGUOUS.search(subject)
    if noun or SUBJECT.search(subject):
        return [(SUBJECT_WORD, f"the subject reads like an introduction: {(noun.group() if noun else subject)[:40]!r}")]
    return []


def _sentences(text: str) -> Iterable[str]:
    return (s.strip() for s in _SENTENCE.findall(text) if s.strip())


def _described(text: str, names: dict[str, frozenset[str]]) -> set[str]:
    """Those a sentence of four or more words begins with (in its first three words), as
    its subject, not spoken to: "Lee runs the design team", "Also, Lee has ...", "이 분은
    민준 씨", but not "Dana, could you ...".
    """
    found = set()
    for sentence in _sentences(text):
        tokens = words(sentence)
        if len(tokens) < 4 and not lexicon.unspaced(sentence):
            continue
        head = sentence[:sum(len(w) + 2 for w in tokens[:3])]
        for email, forms in names.items():
            at = first(head, forms)
            if at is not None and sentence[at:].lstrip()[:1] not in (",", ":", "，", "：", "、", "،"):
                found.add(email)
    return found


def _told_about(text: str, names: dict[str, frozenset[str]]) -> bool:
    """A sentence that begins with one of them, spoken to, and tells them about another:
    "Dana, meet Lee", "Dana: Lee is the person I mentioned", "Lee — Dana runs ...". Not
    two of them spoken to together ("Dana, Lee: the slides", "Dana and Lee, please
    review"), nor a sentence about one of them that names another ("Lotte does the design,
    Ruben the backend"); but the two spoken to in turn, each before the other, as the
    shortest introductions do ("Cilla, Dev. Dev, Cilla.")."""
    turns: set[tuple[str, str]] = set()
    for block in _sentences(text):
        tokens = words(block)
        if len(tokens) <= 4 and (pair := _two_names(tokens, names)):
            if pair[::-1] in turns:
                return True
            turns.add(pair)
        if len(tokens) < 3 and not lexicon.unspaced(block):
            continue
        for email, forms in names.items():
            # The line begins with their name (a bullet or "@" before it aside).
            head = first(block, forms) if any(mentions(tokens[0], n) for n in forms) else None
            if head is None or not _VOCATIVE.match(block, head):
                continue
            for other, other_forms in names.items():
                found = first(block[head:], other_forms) if other != email else None
                if found is not None and not _together(block, head, head + found):
                    return True
    return False


def _two_names(tokens: list[str], names: dict[str, frozenset[str]]) -> tuple[str, str] | None:
    """The two of them a short sentence begins and ends with ("Cilla, Dev"), in order."""
    if len(tokens) < 2:
        return None
    starts = [email for email, forms in names.items() if any(mentions(tokens[0], n) for n in forms)]
    ends = [email for email, forms in names.items() if any(mentions(tokens[-1], n) for n in forms)]
    pairs = [(a, b) for a in starts for b in ends if a != b]
    return pairs[0] if len(pairs) == 1 else None


def _together(block: str, head: int, other: int) -> bool:
    """Whether the name ending at ``other`` is spoken to beside the one ending at ``head``
    (only conjunctions between them, and a comma or colon after it)."""
    between = words(block[head:other])[:-1]
    after = block[other:].lstrip()[:1]
    return all(word in _CONJUNCTIONS for word in between) and after in (",", ":", ";", "，", "：", "、", "،", "")


def _against(body: str, subject: str, message: Message | None, parties: tuple[Address, ...]
             ) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    thanks = thanked(body)
    if thanks:
        found.append((THANKS, f"thanks for an introduction: {thanks!r}"))
    announcing = _ANNOUNCING.search(body)
    if announcing:
        found.append((ANNOUNCES, f"announces something: {announcing.group().strip()!r}"))
    meeting = _MEETING.search(subject) or _MEETING.search(body)
    if meeting:
        found.append((MEETING, f"a meeting's words: {meeting.group().strip()!r}"))
    if oneself := _ONESELF.search(body):
        found.append((ONESELF, f"the sender introduces themselves: {oneself.group().strip()!r}"))
    if met := _ALREADY_MET.search(body):
        found.append((ALREADY_MET, f"they have met already: {met.group().strip()!r}"))
    if len(parties) > CROWD_SIZE:
        found.append((CROWD, f"sent to {len(parties)} people"))
    domains = {p.email.rpartition("@")[2] for p in parties}
    if len(parties) >= 2 and len(domains) == 1 and not domains & providers.PUBLIC:
        found.append((COLLEAGUES, f"all of them at {domains.pop()}"))
    if message is not None:
        kinds = [content_type(p) for p in parts(message)]
        if "text/calendar" in kinds or "application/ics" in kinds:
            found.append((CALENDAR, "a calendar invitation"))
        elif attached := next((k for k in kinds[1:] if k.startswith("application/") and k not in _NOT_DOCUMENTS), ""):
            found.append((ATTACHMENT, f"an attachment ({attached})"))
    return found


def _quote(matched: str) -> str:
    return repr(matched.strip(" \t\n,:;.!-\u2013\u2014"))
