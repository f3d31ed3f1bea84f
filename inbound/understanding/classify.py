"""What a message means (intro.meaning): its kind, who introduced whom, what a reply
answers, what a person asks of the service. Pure: no I/O.

The kinds are those of the product (see ../shared/samples/README.md): introduction,
reply, survey_reply, auto_reply, bounce, other. The order of the checks matters:
machine-generated mail is recognised first and never treated as a person's (RFC 3834),
then answers to follow-ups (by the tagged address they were sent to), then the people
and the words of the message, and last what a person asks of the service (commands).
"""

from __future__ import annotations

import re
from dataclasses import replace

from inbound.understanding.answers import read_answer
from inbound.understanding.automatic import detect
from inbound.understanding.commands import command_in
from inbound.understanding.consent import ask_said
from inbound.understanding.forwarded import FORWARD_SUBJECT, Forwarded, find_forwarded
from inbound.understanding.intro_phrases import REPLY_SUBJECT
from inbound.understanding.mime import UNKNOWN_SENDER
from inbound.understanding.parse import Parsed
from inbound.understanding.quotes import new_text
from inbound.understanding.recognition import (
    THRESHOLD,
    informing,
    introduces,
    introduction_thread,
    newcomers,
    only_informed,
    weigh,
)
from intro import languages
from intro.addresses import ANSWER_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG, Address, asks_first, base_address, tag_of
from intro.meaning import Meaning

_SENTENCE = re.compile(r"[^.!?\n]+")

# Addresses of groups, departments and lists, not people: nobody introduces a team's list
# to someone ("team@", "all-staff@", "marketing@", "equipo-ventas@", "rrhh@").
_GROUP = re.compile(
    r"(?:all|everyone|everybody|staff|team|teams|office|dev|devs|engineering|ops|list|lists|group|members|board"
    r"|noreply|no-reply|do-not-reply|donotreply|equipe|equipo|squadra|zespol|ekip|tiimi|alle|tutti|todos|todas"
    r"|tous|iedereen|wszyscy|kaikki|mitarbeiter|personeel|marketing|sales|support|info|hr|finance|accounts"
    r"|accounting|billing|legal|admin|contact|hello|press|media|jobs|careers|recruiting|hiring|design|product"
    r"|research|operations|it|helpdesk|service|ventas|ventes|vertrieb|soporte|contabilidad|rh|rrhh|personal"
    r"|verwaltung|redaktion|redaccion|comercial|vendas|financeiro|juridico|vendite|amministrazione|kontakt"
    r"|biuro|sekretariat|secretariat|secretaria|office-\w+"
    r"|(?:all|team|staff|equipe|equipo|squadra|list|group|dept|department)[-_.]\w+"
    r"|\w+[-_.](?:team|staff|all|list|equipe|equipo|dept|department|group))$")
_TAGS = (ANSWER_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG)


def classify(parsed: Parsed, rcpt_to: tuple[str, ...] | list[str], service: tuple[str, ...],
             mail_from: str = UNKNOWN_SENDER) -> Meaning:
    """What a parsed message delivered to ``rcpt_to`` (the envelope recipients) from
    ``mail_from`` (the envelope sender: "" for the null sender <>, "<unknown>" when not known) means."""
    tags = {prefix: tag for prefix in _TAGS if (tag := tag_of(rcpt_to, service, prefix)) is not None}
    said = Meaning("other", "", subject=parsed.subject, date=parsed.date, sender=parsed.from_,
                   thread_ids=parsed.in_reply_to + parsed.references, tags=tags)
    automatic = detect(parsed.message, mail_from=mail_from)
    if automatic is not None:
        if automatic.kind == "bulk":  # newsletters and list mail: never an introduction
            return replace(said, reason=automatic.reason)
        return replace(said, kind=automatic.kind, reason=automatic.reason,
                       failed_recipients=automatic.failed_recipients, permanent=automatic.permanent)

    tag = tags.get(ANSWER_TAG)
    written = new_text(parsed.text)
    if tag is not None:
        return replace(said, kind="survey_reply", reason=f"sent to the follow-up address +{ANSWER_TAG}{tag}",
                       answer=read_answer(written), comment=written)

    meaning = _from_a_person(parsed, said, service, written)
    if meaning.kind == "introduction":
        # Its follow-ups go out in the language it was written in (a forward's own words
        # may be a line: then the whole text, the forwarded introduction with it).
        meaning = replace(meaning, language=languages.detect(written if len(written) >= 200 else parsed.text))
    if asks_first(rcpt_to, service):
        # Copied to intro+ask@: an ask, or an answer to one (intro.consent decides which,
        # from what it knows); never a message its sender is asked about.
        return replace(meaning, ask=False, asks_first=ask_said(parsed.to, parsed.cc, parsed.from_, service, written))
    return meaning


def _from_a_person(parsed: Parsed, said: Meaning, service: tuple[str, ...], written: str) -> Meaning:
    """What a message a person wrote means: an introduction, a reply, a command, or a miss."""
    introducer = parsed.from_
    if introducer is None:
        return replace(said, reason="no usable From address")
    threaded = bool(parsed.in_reply_to or parsed.references or REPLY_SUBJECT.match(parsed.subject))

    forwarded = _forwarded_introduction(parsed, introducer, service)
    if forwarded is not None:
        forwarded_text = new_text(forwarded.text)
        parties = _parties(forwarded.recipients, introducer, service, forwarded_text)
        weighed = weigh(forwarded_text, forwarded.subject, parties) if len(parties) >= 2 else None
        if weighed is not None and weighed.introduction:
            return replace(said, kind="introduction", reason="an introduction forwarded by its introducer",
                           introducer=introducer, parties=parties, score=weighed.score, evidence=weighed.evidence)

    parties = _parties(parsed.recipients, introducer, service, written, parsed.sender)
    if threaded:
        # Inside a thread only the words of introducing, aimed at one of them, count: its
        # people already know why they are there ("let me add Kim, who ..."; not "I would
        # like to present our platform to you").
        if len(parties) >= 2 and (words := introduces(written, parties)):
            return replace(said, kind="introduction", introducer=introducer, parties=parties,
                           reason=f"introduces people inside an existing thread ({words!r})")
        # Or brings someone new into it and tells them about another: "Élodie, Sunita is ...".
        if len(parties) >= 2 and (new := newcomers(parsed.text, written, parties)):
            weighed = weigh(written, "", parties)
            if weighed.introduction and weighed.told:
                return replace(said, kind="introduction", introducer=introducer, parties=parties,
                               score=weighed.score, evidence=weighed.evidence,
                               reason=f"brings {', '.join(p.email for p in new)} into a thread and introduces them")
        why = introduction_thread(parsed.text, _unprefixed(parsed.subject), (introducer, *parties), written)
        if why:
            return replace(said, kind="reply", reason=f"a later message in an introduction's thread ({why})")
        # The domain still calls it a reply if the thread is one of a recorded introduction.
        return replace(said, reason="a reply in a thread that shows no introduction")
    weighed = weigh(written, parsed.subject, parties, parsed.message) if len(parties) >= 2 else None
    if weighed is not None and weighed.introduction:
        return replace(said, kind="introduction", reason="introduces the people it is sent to",
                       introducer=introducer, parties=parties, score=weighed.score, evidence=weighed.evidence)
    command = command_in(parsed.subject)
    if command is not None:
        return replace(said, reason=f"asks the service to {command.name}", command=command)
    if weighed is None:
        return replace(said, reason="not sent to two or more people to introduce")
    # Copied on a message to two or more people and not recognised: its sender is asked.
    return replace(said, reason=f"not an introduction (score {weighed.score} of {THRESHOLD})",
                   score=weighed.score, evidence=weighed.evidence, ask=True, parties=parties, named=weighed.named)


def _unprefixed(subject: str) -> str:
    """The subject without its reply and forward prefixes ("Re: Fwd: AW: ...")."""
    while found := REPLY_SUBJECT.match(subject) or FORWARD_SUBJECT.match(subject):
        subject = subject[found.end():]
    return subject


def _is_service(address: Address, service: tuple[str, ...]) -> bool:
    return base_address(address.email) in service


def _parties(recipients: tuple[Address, ...], introducer: Address, service: tuple[str, ...], text: str,
             sender: Address | None = None) -> tuple[Address, ...]:
    """The people introduced: the recipients, less the service, the introducer (and whoever
    sent on their behalf) and anyone copied only to be kept informed."""
    excluded = {introducer.email} | ({sender.email} if sender else set())
    candidates = [a for a in recipients if not _is_service(a, service) and a.email not in excluded
                  and not _group(a)]
    informed = {a.email for a in candidates if only_informed(a, text)} if informing(text) else set()
    return tuple(sorted((a for a in candidates if a.email not in informed), key=lambda a: a.email))


def _group(address: Address) -> bool:
    """Whether an address is a group's or a department's, not a person's: its local part
    says so, and its display name is not a person's ("Tavita Faleolo <hello@...>" is one
    person on a shared inbox; "Equipo Ventas <equipo-ventas@...>" is a team)."""
    if not _GROUP.match(address.email.partition("@")[0].partition("+")[0]):
        return False
    name = [w for w in re.split(r"[\W\d_]+", address.name.casefold()) if w]
    return len(name) < 2 or any(_GROUP.match(w) for w in name)


def _forwarded_introduction(parsed: Parsed, introducer: Address, service: tuple[str, ...]) -> Forwarded | None:
    """The forwarded block of an introduction its own introducer forwarded to the service
    afterwards ("forgot to cc"): sent to no one but the service, forwarding their own mail."""
    others = [a for a in parsed.recipients if not _is_service(a, service) and a.email != introducer.email]
    if others:
        return None
    forwarded = find_forwarded(parsed.text, parsed.message)
    if forwarded is None or forwarded.from_ is None or forwarded.from_.email != introducer.email:
        return None
    if not (FORWARD_SUBJECT.match(parsed.subject) or forwarded.recipients):
        return None
    return forwarded
