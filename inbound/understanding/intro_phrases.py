"""What introducing someone sounds like, in the languages the service supports.

Matched against text that is casefolded and stripped of accents (see ``fold``), so the
patterns are written without accents. Each list is small and specific: the words of the
act of introducing ("meet", "vorstellen", "je vous présente"), not of talking about one
("thanks for the intro", which is what the people introduced write back).
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)


# The act of introducing, where a phrase needs context that the word lists of lexicon.py
# cannot give ("meet" not followed by "me" or "at noon"; "stelle ... vor" around a name).
INTRODUCING = _any(
    # English
    # "Dana, meet Lee", not "meet me in the lobby" or "meet at noon".
    r"(?:^|[,:;.!\u2014\u2013-])\s*meet\s+(?!(?:me|us|at|in|on|for|up|there|here|them|him|her|you|tomorrow|today"
    r"|tonight|later|soon|again|the team|everyone)\b)\w",
    r"\b(?:like|love|want|wanted|happy|glad|pleased|delighted|going) (?:you )?to introduce\b",
    r"\b(?:let me|allow me to|i'?ll|i will|i'?d|i would|i wanted to|want to|quick(?:ly)?) introduce\b",
    r"\bintroduc(?:e|ing) (?:you|the two of you|both of you|everyone|two)\b",
    r"\b(?:double[- ]opt[- ]in|quick|an?|the|email) intro(?:duction)?\b(?! to)",
    r"\bintroducing\b",
    r"\b(?:should|must|need to|ought to|have to) (?:really |definitely |absolutely )?"
    r"(?:meet|know each other|connect|talk)\b",
    r"\bknow each other\b",
    r"\bput(?:ting)? (?:you|the two of you) (?:two |both |all )?(?:in touch|together|in one thread)\b",
    r"\blooping in\b",
    r"\b(?:leave|let) you (?:two|both|all|three)\b",
    r"\bover to you (?:two|both|all)\b",
    # Spanish
    r"\b(?:deberian|deberiais|tienen que|teneis que) conocer",
    r"\bponer(?:os|les|te)? en contacto\b",
    # German: "Hiermit stelle ich euch Lee vor", not "ich stelle das Projekt vor".
    r"\bstelle\b[^.!?\n]{0,20}\b(?:euch|ihnen|dir|sie)\b[^.!?\n]{0,60}\bvor\b",
    r"\bsolltet euch\b[^.!?\n]{0,40}\b(?:kennenlernen|kennen)\b",
    # French
    r"\b(?:je vous|je te|permettez-moi de vous|j'ai le plaisir de vous) present",
    r"\bvous devriez (?:vous )?(?:rencontrer|parler|echanger|connaitre)\b",
    # Dutch: "ik stel jullie aan elkaar voor", not "ik stel voor dat ..." (I propose that ...).
    r"\bstel\b[^.!?\n]{0,20}\b(?:jullie|je|u)\b[^.!?\n]{0,60}\bvoor\b",
    # Portuguese
    r"\b(?:colocar|por|pôr)[^.!?\n]{0,15}em contato\b",
    r"\bprecisam se conhecer\b|\bdeveriam se conhecer\b",
)

# What the people introduced write back. These say a reply, not a new introduction.
THANKING = _any(
    r"\bthank(?:s| you)(?: so much)? for (?:the|this|an|your)? ?(?:kind )?(?:intro|introduction|connection)\b",
    r"\bthank(?:s| you)[^.!?\n]{0,20} for introducing\b",
    r"\b(?:great|nice|lovely|good|wonderful|a pleasure|pleasure|delighted|glad) to (?:e-?)?meet you\b",
    r"\bgracias por (?:la )?(?:presentacion|intro)\b|\bencantad[oa] de conocer",
    r"\bdanke fur (?:die|das) (?:vorstellung|intro|kontakt)\b|\bfreut mich\b[^.!?\n]{0,25}kennenzulernen",
    r"\bmerci pour (?:la|cette) (?:mise en relation|presentation|intro)\b|\bravie? de (?:faire|vous)",
    r"\bbedankt voor de (?:introductie|intro|kennismaking)\b|\bleuk (?:je|u) te (?:leren kennen|ontmoeten)",
    r"\bobrigad[oa] pela (?:apresentacao|intro)\b|\bprazer em conhece",
)

# A subject that names an introduction: "Dana <> Lee", "Intro: Dana / Lee", "Vorstellung".
SUBJECT = _any(
    r"\S\s*(?:<>|<->|<=>|\u2194|\u21c4)\s*\S",
    # Not "presentation" and its like: they also mean a talk with slides.
    r"\b(?:intro|introduction|introducing|meet|vorstellung|kennenlernen|"
    r"mise en relation|introductie|kennismaking)\b",
    r"\w\s+(?:\+|&|x|/)\s+\w",
    r"介绍|紹介",
)

# Someone copied only to be kept informed, who is not one of the people introduced.
FOR_INFORMATION = _any(
    r"\bfyi\b",
    r"\bno action (?:needed|required|necessary)\b",
    r"\bfor (?:your )?(?:visibility|information|info|reference|awareness|records)\b",
    r"\bjust so (?:s?he|they|you) (?:has|have|is|are|can)\b",
    r"\bkeep(?:ing)?\b[^.!?\n]{0,25}\bin the loop\b",
    r"\bzur (?:info|kenntnis)\b|\bnur zur info\b|\bkein handlungsbedarf\b",
    r"\bpour (?:info|information)\b|\baucune action\b",
    r"\bpara (?:tu|su) (?:informacion|conocimiento)\b|\bsolo para que (?:este|estes) al tanto\b",
    r"\bter (?:info|informatie|kennisname)\b",
    r"\bpara (?:sua )?(?:informacao|conhecimento)\b",
)

# The start of a reply's subject, in the prefixes clients use around the world.
REPLY_SUBJECT = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|antwort|ref|rif|res|r|odp|vá|ynt|atb|回复|答复|返信)\s*(?:\[\d+\])?\s*[:：]",
    re.IGNORECASE,
)
