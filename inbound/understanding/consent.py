"""Asking first (double opt-in): a message copying intro+ask@, and the answer to one.

The introducer writes to one person ("Lee, would you like to meet Dana Reyes
<dana@example.net>? She is ...") and copies intro+ask@. The asked person answers as they
would: "Yes, happy to", "Not right now", "No, thank you", in any language. Pure: no I/O.

The answer is read in two steps. First the words of consenting that a follow-up's answer
does not have: "not now" and "maybe later" (a pause, not a refusal), "I'd rather not" and
"I'll pass" (a refusal), "happy to" and "count me in" (yes); a pause is read first, so
"yes, but not now" waits. Then, if none of them is there, the follow-up's reader
(inbound.understanding.answers), which knows yes and no in many languages: "helped"
there is "yes" here.
"""

from __future__ import annotations

import re

from inbound.understanding.answers import fold, read_answer
from inbound.understanding.people import parse_addresses
from intro.addresses import Address, base_address
from intro.meaning import AnswerValue, AskSaid, Consent

# Folded (no accents, lowercase), whole words. Pauses: "not now", in the languages the
# follow-up reader knows best, as people write them in a reply.
_NOT_NOW = (
    "not now", "not right now", "not at the moment", "not at this time", "not this time", "not for now",
    "not yet", "maybe later", "perhaps later", "ask me later", "ask me again later", "later this year",
    "ahora no", "ahora mismo no", "de momento no", "por ahora no", "mas adelante", "quizas mas adelante",
    "agora nao", "no momento nao", "por enquanto nao", "mais tarde", "talvez mais tarde", "mais para frente",
    "pas maintenant", "pas pour l'instant", "pas pour le moment", "pas tout de suite", "plus tard",
    "jetzt nicht", "gerade nicht", "im moment nicht", "momentan nicht", "derzeit nicht", "vielleicht spater",
    "spater vielleicht", "nu niet", "nu even niet", "even niet", "op dit moment niet", "misschien later",
    "later misschien", "non ora", "non adesso", "non al momento", "per ora no", "piu avanti", "magari piu avanti",
)
_NO = (
    "rather not", "i'll pass", "i will pass", "i'll pass on this", "pass on this one", "not interested",
    "no thank you", "no thanks", "thanks but no", "not for me", "please don't", "prefiero no", "mejor no",
    "no me interesa", "prefiro nao", "melhor nao", "nao tenho interesse", "je prefere pas", "je prefere ne pas",
    "non merci", "pas interesse", "pas interessee", "lieber nicht", "kein interesse", "nein danke",
    "liever niet", "geen interesse", "nee dank je", "nee bedankt", "preferisco di no", "preferisco no",
    "non mi interessa", "no grazie",
)
_YES = (
    "happy to", "glad to", "love to", "i'd love to", "count me in", "go ahead", "please do", "sounds good",
    "sounds great", "of course", "definitely", "absolutely", "sure", "with pleasure", "con gusto", "claro",
    "por supuesto", "encantado", "encantada", "com prazer", "claro que sim", "avec plaisir", "volontiers",
    "bien sur", "gerne", "gern", "sehr gerne", "na klar", "graag", "heel graag", "prima", "volentieri",
    "certo", "certamente", "con piacere",
)


def _words(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "no thank you" is read before any shorter phrase inside it.
    alternatives = "|".join(re.escape(p).replace("'", "'?") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w'@-])(?:{alternatives})(?![\w@-])")


_PAUSE, _REFUSE, _AGREE = _words(_NOT_NOW), _words(_NO), _words(_YES)
_FROM_FOLLOWUP: dict[AnswerValue, Consent] = {AnswerValue.HELPED: "yes", AnswerValue.NOT_YET: "not_now",
                                              AnswerValue.NO: "no"}
_READ = 600  # the answer is in the first lines; a long reply's later text talks about other things


def read_consent(text: str) -> Consent | None:
    """What a reply to an ask says: "yes", "not_now", "no", or None when it does not say clearly."""
    head = fold(text[:_READ])
    head = "\n".join(line for line in head.splitlines() if not line.lstrip().startswith(">"))
    if _PAUSE.search(head):
        return "not_now"
    if _REFUSE.search(head):
        return "no"
    answer = read_answer(text)
    if answer is not None:
        return _FROM_FOLLOWUP[answer]
    return "yes" if _AGREE.search(head) else None


# "Dana Reyes <dana@example.net>", "<dana@example.net>", "dana@example.net", "mailto:dana@...".
_NAMED = re.compile(r"[<(\[]?(?:mailto:)?([\w.+'-]+@[\w-]+(?:\.[\w-]+)+)[>)\]]?")
_NAME_WORD = re.compile(r"[^\W\d_][\w.'-]*$")


def named_addresses(text: str) -> tuple[Address, ...]:
    """The addresses a text names, each with the name written just before it ("Dana Reyes
    <dana@...>": the capitalised words, up to four, before the bracket), if any."""
    found: dict[str, Address] = {}
    for match in _NAMED.finditer(text[:20_000]):
        address = match[1].rstrip(".")
        name = _name_before(text[max(0, match.start() - 80):match.start()]) if match[0].startswith("<") else ""
        valid, _ = parse_addresses(f'"{name}" <{address}>' if name else address)
        for a in valid:
            found.setdefault(a.email, a)
    return tuple(found.values())


def _name_before(text: str) -> str:
    words: list[str] = []
    for word in reversed(text.splitlines()[-1].split() if text.strip() else []):
        particle = word[:1].islower() and len(word) <= 3 and words  # "José da Silva", "Ana van Dijk"
        if len(words) == 4 or not _NAME_WORD.match(word) or (word[:1].islower() and not particle):
            break
        words.insert(0, word)
    while words and words[0][:1].islower():
        words.pop(0)
    return " ".join(words)


def ask_said(to: tuple[Address, ...], cc: tuple[Address, ...], sender: Address | None, service: tuple[str, ...],
             written: str) -> AskSaid:
    """What a message to intro+ask@ says: whom it went to, whom it names, what it answers."""
    def person(a: Address) -> bool:
        return base_address(a.email) not in service and (sender is None or a.email != sender.email)
    to, cc = tuple(filter(person, to)), tuple(filter(person, cc))
    seen = {a.email for a in to + cc}
    named = tuple(a for a in named_addresses(written) if person(a) and a.email not in seen)
    return AskSaid(to=to, cc=cc, named=named, answer=read_consent(written))
