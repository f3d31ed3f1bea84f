"""What "did the introduction help?" answers sound like, per language, for ``inbound.understanding.answers``.

Phrases are written naturally, with accents and apostrophes; ``answers`` folds them exactly
as it folds a reply (NFKC, casefold, no accents, one apostrophe form, apostrophes optional),
so "não", "nao", "Não" and "NAO" are one entry. Every phrase matches as whole words, and at
any position the longest phrase wins: "no problem" beats "no", "didn't help" beats "help".

Each table means one thing, so a phrase must sit in one table only (tests check this):

- ``*_WORDS``: a bare answer ("yes", "nope", "nein"). Weak: overruled when the same sentence
  says something more specific, and "No, not yet" is "not_yet", not a contradiction.
- ``*_PHRASES``: an explicit statement about the help or the meeting ("it didn't help",
  "too early to tell"). Strong: two different strong answers make the reply unclear.
- ``NOT_YET_LEADS``: "yet" words that come first ("noch nicht", "pas encore"); the rest of
  the clause belongs to them, so "nog niet geholpen" is not read as "geholpen" (helped).
- ``NEGATIONS`` ... ``YET_WORDS``: "yet" after a negation ("haven't met yet", "no ... aún").
- ``HELP_NEGATIONS`` ... ``HELP_WORDS``: "helped" after a negation ("wasn't really helpful").
- ``HEDGES``: the person is unsure or asks what this is; the reply goes to a person.
- ``NEUTRAL``: phrases that contain an answer word but answer nothing ("no problem").
"""

from __future__ import annotations

YES_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("yes", "yeah", "yea", "yep", "yup", "yas", "sure", "sure thing", "definitely", "absolutely",
           "certainly", "of course", "indeed", "totally", "for sure", "very much so", "you bet", "big time",
           "no doubt", "without a doubt", "affirmative", "yes indeed"),
    "es": ("sí", "claro", "claro que sí", "por supuesto", "desde luego", "sin duda", "totalmente",
           "definitivamente"),
    "de": ("ja", "jawohl", "jep", "jup", "klar", "na klar", "absolut", "definitiv", "auf jeden fall",
           "durchaus", "ohne zweifel", "ja klar"),
    "fr": ("oui", "ouais", "ouaip", "bien sûr", "absolument", "tout à fait", "carrément", "évidemment",
           "certainement", "sans aucun doute"),
    "nl": ("jazeker", "ja zeker", "zeker", "zeker weten", "absoluut", "natuurlijk", "jawel"),
    "pt": ("sim", "com certeza", "certamente", "sem dúvida", "sem dúvidas", "claro que sim"),
    "it": ("certo", "certamente", "assolutamente", "decisamente", "eccome", "assolutamente sì"),
    # 👍 alone answers "did it help?" with yes; ✅ and 👌 are used the same way.
    "emoji": ("👍", "👌", "✅", "🙌", "💯", "✔"),
}

# Bare answers that are also everyday words: Spanish and French "si" is "if" too ("Si hubiera
# tiempo..."), so it is "yes" only before a pause ("Si, mucho", "Si!") or at the end.
PAUSE_WORDS: tuple[str, ...] = ("sí",)

NO_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("no", "nope", "nah", "not really", "not at all", "not much", "not so much", "not really no",
           "afraid not", "i'm afraid not", "unfortunately not", "sadly not", "definitely not",
           "absolutely not", "certainly not", "not particularly", "no luck"),
    "es": ("nop", "para nada", "en absoluto", "la verdad no", "no realmente", "realmente no", "no mucho",
           "lamentablemente no", "desafortunadamente no", "por desgracia no", "claro que no"),
    "de": ("nein", "nee", "nö", "leider nicht", "leider nein", "nicht wirklich", "eher nicht", "gar nicht",
           "überhaupt nicht", "nicht so richtig"),
    "fr": ("non", "nan", "pas vraiment", "pas du tout", "pas trop", "pas beaucoup", "malheureusement non",
           "malheureusement pas", "hélas non", "absolument pas"),
    "nl": ("neen", "niet echt", "helaas niet", "helemaal niet", "helaas nee", "zeker niet"),
    "pt": ("não", "nem por isso", "de jeito nenhum", "não muito", "não realmente", "na verdade não",
           "infelizmente não", "claro que não"),
    "it": ("non proprio", "non molto", "per niente", "purtroppo no", "assolutamente no", "non direi",
           "non particolarmente"),
    "emoji": ("👎", "❌"),
}

YES_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("it did", "it sure did", "it really did", "it definitely did", "it certainly did", "it did help",
           "helped", "helpful", "very helpful", "really helpful", "super helpful", "useful",
           "very useful", "a big help", "a huge help", "a great help", "great help", "huge help", "it worked",
           "worked out", "paid off"),
    "es": ("me ayudó", "nos ayudó", "ayudó mucho", "sí ayudó", "ha ayudado", "me ha ayudado", "nos ha ayudado",
           "muy útil", "útil", "me sirvió", "nos sirvió", "fue de ayuda", "de gran ayuda"),
    "de": ("hilfreich", "sehr hilfreich", "geholfen", "nützlich", "sehr nützlich", "hat sich gelohnt"),
    "fr": ("ça m'a aidé", "ça m'a beaucoup aidé", "ça nous a aidé", "ça nous a beaucoup aidé", "ça a aidé",
           "ça a beaucoup aidé", "m'a aidé", "m'a beaucoup aidé", "nous a aidé", "nous a beaucoup aidé",
           "utile", "très utile", "super utile", "a été utile"),
    "nl": ("geholpen", "heeft geholpen", "nuttig", "heel nuttig", "erg nuttig", "zeer nuttig", "hielp"),
    "pt": ("ajudou", "ajudou muito", "me ajudou", "nos ajudou", "foi útil", "muito útil", "útil demais"),
    "it": ("mi ha aiutato", "ci ha aiutato", "ha aiutato", "molto utile", "utilissimo", "è stato utile",
           "è servito"),
}

NO_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("it didn't", "it did not", "it hasn't", "it has not", "didn't help", "did not help",
           "didn't really help", "did not really help", "hasn't helped", "has not helped", "not helped",
           "never helped", "barely helped", "hardly helped", "not helpful", "not very helpful",
           "not really helpful", "not that helpful", "wasn't helpful", "wasn't very helpful",
           "was not helpful", "unhelpful", "not useful", "wasn't useful", "no help", "not much help",
           "never met", "never found time", "never found the time", "never heard back", "never heard from",
           "never connected", "never replied", "never responded", "didn't work out", "did not work out",
           "went nowhere", "didn't go anywhere", "dead end", "not a fit", "not a good fit", "wasn't a fit"),
    "es": ("no me ayudó", "no nos ayudó", "no ayudó", "no ha ayudado", "no me ha ayudado", "no nos ha ayudado",
           "no fue útil", "no fue muy útil", "no muy útil", "no sirvió", "no me sirvió", "no nos sirvió",
           "no fue de ayuda", "nunca nos reunimos", "nunca hablamos"),
    "de": ("nicht geholfen", "hat nicht geholfen", "kaum geholfen", "nicht hilfreich", "nicht sehr hilfreich",
           "wenig hilfreich", "nicht wirklich hilfreich", "nicht nützlich", "keine hilfe", "nie getroffen"),
    "fr": ("ça n'a pas aidé", "n'a pas aidé", "pas aidé", "pas utile", "pas très utile", "pas vraiment utile",
           "n'a pas été utile", "inutile", "aucune aide", "ça n'a rien donné", "jamais rencontré"),
    "nl": ("niet geholpen", "heeft niet geholpen", "niet nuttig", "niet erg nuttig", "nooit ontmoet"),
    "pt": ("não ajudou", "não me ajudou", "não nos ajudou", "não foi útil", "não serviu", "nunca nos falamos"),
    "it": ("non ha aiutato", "non mi ha aiutato", "non ci ha aiutato", "non è stato utile", "non utile",
           "poco utile", "non è servito"),
}

NOT_YET_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("too early", "too soon", "early days", "it's early", "still early", "haven't met",
           "have not met", "haven't spoken", "haven't talked", "haven't connected", "haven't had a chance",
           "haven't had the chance", "haven't had time", "meeting next week", "meeting next month",
           "meeting soon", "meeting tomorrow", "meet next week", "call next week", "call scheduled",
           "scheduled a call", "will meet", "going to meet", "planning to meet", "time will tell",
           "ask me again", "ask again later", "check back"),
    # "Next week" alone is not enough ("we sign the contract next week"): only a meeting is.
    "es": ("es pronto", "muy pronto para", "demasiado pronto", "es temprano", "nos reunimos la próxima semana",
           "nos vemos la próxima semana", "nos vemos la semana que viene", "reunión la próxima semana",
           "reunión la semana que viene", "no hemos hablado", "no nos hemos reunido"),
    "de": ("zu früh", "noch zu früh", "treffen uns nächste woche", "treffen uns bald", "wir treffen uns",
           "termin nächste woche", "telefonieren nächste woche"),
    "fr": ("trop tôt", "c'est tôt", "un peu tôt", "on se voit la semaine prochaine",
           "on se rencontre la semaine prochaine", "rendez-vous la semaine prochaine", "on se voit bientôt"),
    "nl": ("te vroeg", "nog te vroeg", "zien elkaar volgende week", "spreken elkaar volgende week",
           "afspraak volgende week", "gesprek volgende week"),
    "pt": ("é cedo", "muito cedo", "cedo demais", "ainda é cedo", "vamos nos reunir", "vamos nos encontrar",
           "reunião semana que vem", "reunião na próxima semana"),
    "it": ("è presto", "troppo presto", "è ancora presto", "ci vediamo la prossima settimana",
           "ci sentiamo la prossima settimana", "incontro la prossima settimana", "ci incontriamo"),
}

# "Yet" words that lead their clause; the clause after them is theirs.
NOT_YET_LEADS: tuple[str, ...] = (
    "not yet", "not as yet", "not quite yet", "still not", "still haven't", "still waiting", "yet to",
    "noch nicht", "noch kein", "noch keine", "noch keinen", "bisher nicht", "bis jetzt nicht",
    "todavía no", "aún no", "todavía nada", "pas encore", "toujours pas", "nog niet", "nog geen",
    "nog steeds niet", "ainda não", "ainda nada", "non ancora", "ancora no", "ancora non",
)

# "Yet" after a negation within the same clause: "haven't met yet", "no nos vimos todavía".
# French "encore" is left out on purpose: after "non" it usually means "again" ("merci encore").
NEGATIONS: tuple[str, ...] = (
    "not", "no", "never", "nothing", "nobody", "haven't", "hasn't", "have not", "has not", "didn't",
    "did not", "don't", "aren't", "isn't", "wasn't", "weren't", "não", "non", "nicht", "niet",
)
YET_WORDS: tuple[str, ...] = ("yet", "todavía", "aún", "ainda", "ancora")

# "Helped" words after a negation and up to three words: "wasn't really helpful", "no fue muy
# útil", "n'a pas vraiment aidé". Bare "help" is left out ("I didn't expect it to help this much").
HELP_NEGATIONS: tuple[str, ...] = (
    "not", "never", "no", "wasn't", "was not", "isn't", "hasn't", "haven't", "didn't", "did not", "don't",
    "doesn't", "wouldn't", "would not", "can't say", "cannot say", "hardly", "barely", "nicht", "kaum", "nie",
    "niet", "nooit", "pas", "jamais", "non", "não", "nunca",
)
HELP_WORDS: tuple[str, ...] = (
    "helped", "helpful", "useful", "hilfreich", "geholfen", "nützlich", "utile", "útil", "aidé", "nuttig",
    "geholpen", "ajudou", "ayudó", "aiutato", "servito", "sirvió", "serviu",
)
# Words that turn the negation away from the help: "not only", "no doubt it helped".
HELP_GAP_STOPPERS: tuple[str, ...] = (
    "only", "just", "nur", "seulement", "solo", "sólo", "apenas", "alleen", "doubt", "question", "denying",
    "wonder", "duda", "dúvida", "dubbio", "zweifel", "doute", "twijfel",
)

HEDGES: dict[str, tuple[str, ...]] = {
    "en": ("maybe", "perhaps", "possibly", "probably", "not sure", "unsure", "i think so",
           "i guess", "i don't know", "don't know", "no idea", "hard to say", "difficult to say",
           "hard to tell", "kind of", "kinda", "sort of", "sorta", "somewhat", "partly", "partially",
           "a little", "a bit", "it depends", "depends", "we'll see", "so-so", "so so", "meh", "mixed",
           "more or less", "yes and no", "yes or no", "would have helped", "might have helped",
           "could have helped", "would be helpful", "would be useful", "who is this", "who are you",
           "what is this", "what's this", "what intro", "which intro", "don't remember", "don't recall", "unsubscribe",
           "stop emailing", "remove me"),
    "es": ("quizás", "quizá", "tal vez", "a lo mejor", "no sé", "no lo sé", "depende", "más o menos",
           "puede ser", "en parte", "sí y no", "ni idea"),
    "de": ("vielleicht", "jein", "weiß nicht", "weiß ich nicht", "keine ahnung", "schwer zu sagen",
           "teilweise", "teils teils", "mal sehen", "bedingt", "nicht sicher", "ja und nein", "wer ist das"),
    "fr": ("peut-être", "peut être", "je ne sais pas", "sais pas", "bof", "plus ou moins", "oui et non",
           "en partie", "ça dépend", "sans doute", "pas sûr", "pas sûre", "qui êtes-vous"),
    "nl": ("misschien", "weet ik niet", "weet niet", "geen idee", "min of meer", "een beetje", "deels",
           "ja en nee", "moeilijk te zeggen", "wie is dit"),
    "pt": ("talvez", "não sei", "mais ou menos", "depende", "sim e não", "em parte", "pode ser", "quem é"),
    "it": ("forse", "non so", "non saprei", "boh", "dipende", "più o meno", "sì e no", "in parte", "chi è"),
}

NEUTRAL: dict[str, tuple[str, ...]] = {
    "en": ("no problem", "not a problem", "no prob", "no probs", "no worries", "no rush", "no need",
           "no pressure", "no question", "no one", "no complaints", "not only", "not bad", "make sure",
           "i'm sure", "i am sure"),
    "es": ("de nada", "no hay problema", "no hay de qué", "no te preocupes", "no se preocupe", "sin problema"),
    "de": ("kein problem", "keine ursache", "nichts zu danken", "kein stress", "gern geschehen"),
    "fr": ("pas de problème", "pas de souci", "pas de soucis", "de rien"),
    "nl": ("geen probleem", "geen zorgen", "graag gedaan"),
    "pt": ("sem problema", "sem problemas", "de nada", "não há de quê", "não tem problema", "não se preocupe"),
    "it": ("nessun problema", "non c'è problema", "non ti preoccupare", "di niente", "prego"),
}

# A short line starting with one of these, after the answer, ends the text that is read:
# what follows is a signature ("Best,\nSi Morgan" must not read as Spanish "sí").
SIGN_OFFS: tuple[str, ...] = (
    "best", "best wishes", "thanks", "thank you", "thx", "many thanks", "cheers", "regards", "kind regards",
    "best regards", "warm regards", "warmly", "all the best", "sincerely", "cordially", "take care",
    "talk soon", "speak soon", "sent from", "get outlook", "viele grüße", "beste grüße", "liebe grüße",
    "lg", "vg", "mfg", "gruß", "grüße", "danke", "vielen dank", "saludos", "un saludo", "un abrazo",
    "abrazos", "gracias", "muchas gracias", "atentamente", "cordialement", "bien à vous", "merci",
    "amitiés", "bises", "à bientôt", "groeten", "met vriendelijke groet", "vriendelijke groet", "groetjes",
    "hartelijke groet", "bedankt", "dank je", "dank u", "obrigado", "obrigada", "abraços", "atenciosamente",
    "cumprimentos", "beijos", "saluti", "cordiali saluti", "grazie", "un saluto", "a presto",
)
