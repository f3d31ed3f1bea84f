"""Who a text names: the forms a person may be called by, and finding them in folded text
in any script.

A person is called by the names in their display name (less titles), the parts of their
address, the short and pet forms of their given name (nicknames.py: "Kasia" for
"Katarzyna"), a surname with a title where that is how one is addressed ("李总", "김
대표님"), and, in one message, a capitalised word that cuts their name short ("Flor" for
"Florencia"). A name is found as a whole word, also declined ("Horáka", "Kasiu", "Саше"),
with the prefixes Arabic and Hebrew attach to words ("وسارة", "לדנה").
"""

from __future__ import annotations

import re
from functools import lru_cache

from inbound.understanding import lexicon
from inbound.understanding.folding import fold, words
from inbound.understanding.nicknames import NICKNAMES
from intro.addresses import Address

# Titles and honorifics in display names, which are not what a text calls someone.
TITLES = frozenset((
    "dr", "mr", "mrs", "ms", "miss", "prof", "eng", "ing", "mag", "herr", "frau", "sr", "sra", "srta", "mme", "mlle",
    "m", "dott", "dottssa", "dra", "phd", "jr", "sir", "lic", "arq", "don", "dona", "doña", "pak", "bu", "ibu",
    "bapak", "mas", "mbak", "kak", "pan", "pani", "gospodin", "господин", "госпожа", "sayın", "bay", "bayan",
    "κος", "κα", "الأستاذ", "الأستاذة", "الدكتور", "الدكتورة", "المهندس", "المهندسة", "السيد", "السيدة", "د", "م",
    "أ", "بن", "ابن", "بنت", "أبو", "آل", "ד\"ר", "בן", "בת", "shri", "smt", "sri", "ji",
))
# A letter of a script written with spaces: a name in Latin letters ends where kana or
# hanzi begin ("Leeさん", "和Dana").
LETTER = r"[^\W\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
# How Chinese and Korean address someone: family name and title ("李总", "陈老师", "김 대표님").
_HAN_TITLES = ("总", "總", "老师", "老師", "先生", "女士", "小姐", "经理", "經理", "博士", "教授", "老板", "老闆",
               "主任", "律师", "律師", "医生", "醫生", "总监", "總監", "董", "工", "姐", "哥")
_HANGUL_TITLES = ("님", "씨", "대표", "선생", "교수", "팀장", "부장", "과장", "이사", "사장", "실장", "원장", "박사")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,3}")
_HANGUL = re.compile(r"[\uac00-\ud7af]{3}")
_ABJAD = re.compile(r"[\u0590-\u06ff]")  # Hebrew and Arabic: letters joined to prefixes
_ABJAD_PREFIXES = r"(?:[وفبلك]|ال|وال|بال|لل|فال|[והבלמשכ]|וה|שה|מה|כש)?"
_VOWELS = frozenset("aeiouyаеёиоуыэюяαεηιουω")
# Case endings of Slavic, Baltic and Finnic languages, folded ("-a", "-ovi", "-owi", "-ем").
_ENDINGS = "ovi|owi|em|om|ou|ie|a|u|e|i|y|o|ем|ом|ой|у|а|е|ы|ю"
# A capitalised word: a name, or the first word of a sentence.
_CAPITALISED = re.compile(r"(?<!\w)[^\W\d_][^\W_]{2,}")


@lru_cache(maxsize=4096)
def forms_of(person: Address) -> frozenset[str]:
    """The (folded) forms a text may call ``person`` by."""
    forms: set[str] = set()
    for token in words(fold(person.name)):
        if len(token) < 2 or token.isdigit() or token in TITLES:
            continue
        if _ABJAD.search(token) and len(token) < 3:
            continue  # two Arabic or Hebrew letters are inside too many words
        forms.add(token)
        forms.update(fold(n) for n in NICKNAMES.get(token, ()))
        if _HAN.fullmatch(token):
            forms.update(token[0] + title for title in _HAN_TITLES)
        if _HANGUL.fullmatch(token):
            forms.update(token[0] + sep + title for title in _HANGUL_TITLES for sep in ("", " "))
        if lexicon.unspaced(token) and len(token) >= 3:
            forms.update({token[:2], token[-2:]})  # 田中太郎: 田中さん, 太郎さん
    for token in re.split(r"[._+\-\d]+", fold(person.email.partition("@")[0])):
        if len(token) >= 3:
            forms.add(token)
            forms.update(fold(n) for n in NICKNAMES.get(token, ()))
    return frozenset(forms)


def shortened(forms: frozenset[str], text: str) -> frozenset[str]:
    """``forms`` and the capitalised words of ``text`` (as written) that cut one of them
    short, at the end ("Flor" for "florencia", "Pao" for "paolo") or, four letters or
    more, at the start ("Cilla" for "priscilla", "Bella" for "isabella", "Nando" for
    "fernando"); a word the text also writes in lower case is a word, not a name ("Will
    you ..." and "we will")."""
    found = set()
    for word in _CAPITALISED.findall(text):
        if not word[0].isupper() or len(word) < 3:
            continue
        short = fold(word)
        if any(len(form) > len(short) and not lexicon.unspaced(form)
               and (form.startswith(short) or (len(short) >= 4 and form.endswith(short))) for form in forms):
            found.add(short)
    found = {short for short in found if not re.search(rf"(?<!\w){re.escape(short)}(?!\w)", text)}
    return forms | found if found else forms


def mentions(text: str, form: str) -> bool:
    return find(text, form) is not None


def mentions_declined(text: str, form: str) -> bool:
    """Like ``mentions``, and a short name also with the endings of the languages that
    decline even those ("Ján" as "Jána", "Jánovi"; "Ян" as "Яна"): looser, so only for a
    sentence that must say more besides (that its person is copied for information)."""
    if len(form) == 3 and not _ABJAD.search(form) and not lexicon.unspaced(form):
        return _declined(form).search(text) is not None
    return mentions(text, form)


@lru_cache(maxsize=1024)
def _declined(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{LETTER}){re.escape(form)}(?:{_ENDINGS})?(?!{LETTER})")


def find(text: str, form: str) -> re.Match[str] | None:
    return _pattern(form).search(text)


def first(text: str, forms: frozenset[str]) -> int | None:
    """Where the first of ``forms`` ends in ``text``, or None."""
    ends = [m.end() for n in forms for m in [find(text, n)] if m is not None]
    return min(ends) if ends else None


@lru_cache(maxsize=8192)
def _pattern(form: str) -> re.Pattern[str]:
    """A name as a whole word; a longer one, or one that ends in a vowel, also with another
    ending, as languages that decline names write it ("Horák" as "Horáka", "Procházka" as
    "Procházko", "Kasia" as "Kasiu", "Саша" as "Саше")."""
    if _ABJAD.search(form):
        return re.compile(rf"(?<!\w){_ABJAD_PREFIXES}{re.escape(form)}(?!\w)")
    if lexicon.unspaced(form):
        return re.compile(re.escape(form))
    if len(form) < 4 or (len(form) == 4 and form[-1] not in _VOWELS):
        return re.compile(rf"(?<!{LETTER}){re.escape(form)}(?!{LETTER})")
    if len(form) == 4:
        return re.compile(rf"(?<!{LETTER}){re.escape(form[:3])}{LETTER}{{1,2}}(?!{LETTER})")
    stem = form[:max(4, len(form) - 2)]
    return re.compile(rf"(?<!{LETTER}){re.escape(stem)}{LETTER}{{0,{len(form) - len(stem) + 3}}}(?!{LETTER})")
