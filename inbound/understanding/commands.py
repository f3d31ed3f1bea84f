"""What a person asks of the service by mail, in the subject of a message to it.

"join" (or "join 2027") makes its sender a participant of a campaign; "export",
"forget", "delete me", "privacy" and their like ask to see or erase what is held about
them (answered with a link mailed to that address, never with the data).
"""

from __future__ import annotations

import re

from intro.meaning import Command

_JOIN = re.compile(r"^\s*join(?:\s+(?:the\s+)?(?:campaign\s*)?(\d{4}))?\s*[.!]?\s*$", re.IGNORECASE)
_PRIVACY = re.compile(r"^\s*(export|forget|delete|erase|gdpr|privacy)(\s+(me|my\s+data|my\s+address))?\s*[.!]?\s*$",
                      re.IGNORECASE)
_VERBS = {"export": "export", "forget": "forget", "delete": "forget", "erase": "forget", "gdpr": "privacy",
          "privacy": "privacy"}


def command_in(subject: str) -> Command | None:
    """The command a subject gives, if it is one."""
    if match := _JOIN.match(subject):
        return Command("join", int(match.group(1)) if match.group(1) else None)
    if match := _PRIVACY.match(subject):
        return Command(_VERBS[match.group(1).lower()])  # type: ignore[arg-type]  # the keys are the pattern's words
    return None
