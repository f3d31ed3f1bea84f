"""Writing each kind of mail: what its templates show, and the message around them, with
the headers that keep mail safe and deliverable.

One writer per kind of mail (``followups``, ``notice``, ``link``), each returning the
message and the address it goes to. Rendering (templates) is separate
(mailer/render.py), and so is sending (mailer/send.py).
"""

from __future__ import annotations

from datetime import timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from urllib.parse import urlsplit

from intro import languages, tokens
from intro.addresses import ANSWER_TAG, ASK_TAG, BOUNCE_TAG, UNSUBSCRIBE_TAG, tagged
from intro.config import Config
from intro.consent import AskJob
from intro.deliveries import NoteJob
from intro.followups import Job
from intro.links import LIFETIME, SIGNS_IN, LinkJob
from intro.models import AskMailKind, LinkPurpose
from intro.notices import NoticeJob
from intro.pace import PaceJob
from intro.questions import QuestionJob
from intro.text import one_line
from intro.timeutil import utcnow
from mailer.render import (
    AskedMail,
    Candidate,
    FollowupMail,
    LinkMail,
    NoticeMail,
    PaceMail,
    QuestionMail,
    Rendered,
    Renderer,
    WebhookNoteMail,
    render_asked,
    render_link,
    render_notice,
    render_pace,
    render_question,
    render_webhook_note,
)

ANSWER_CHOICES = ("helped", "not_yet", "no")
ASK_CHOICES = ("yes", "not_now", "no")
# UTF-8 bodies in base64: safe on any relay, and encoded in C (quoted-printable, more
# readable raw, cost a third of a follow-up's CPU in bench/followups_send.py).
_UTF8 = "utf-8"


def mail_for(job: Job, config: Config, secret: str) -> FollowupMail:
    """What the templates show for this job: names, dates, and the signed links."""
    base = config.public_url
    answer = tokens.make(secret, tokens.ANSWER, job.followup_id)
    return FollowupMail(
        recipient_name=job.recipient_name,
        recipient_email=job.recipient_email,
        introducer_name=job.introducer_name,
        introducer_email=job.introducer_email,
        others=job.others,
        subject=job.subject,
        made_on=job.made_at.date(),
        reminder=job.reminder,
        answer_urls={choice: f"{base}/a/{answer}?answer={choice}" for choice in ANSWER_CHOICES},
        unsubscribe_url=unsubscribe_url(config, secret, job.person_id),
        reply_address=tagged(config.service.address[0], ANSWER_TAG, job.tag),
        service_name=config.mail.from_name,
        service_url=base,
    )


def _language(job: object, config: Config) -> str:
    """The language a mail is written in: the one its job names (the person's choice, or
    the introduction's), else [mail] language."""
    return languages.choose(getattr(job, "language", None), config.mail.language)


def unsubscribe_url(config: Config, secret: str, person_id: int) -> str:
    return f"{config.public_url}/u/{tokens.make(secret, tokens.UNSUBSCRIBE, person_id)}"


def envelope_sender(config: Config, tag: str) -> str:
    """Bounces come back to intro+b-TAG@, which names the mail they concern (VERP)."""
    return tagged(config.service.address[0], BOUNCE_TAG, tag)


def followups(jobs: list[Job], renderer: Renderer, config: Config, secret: str) -> tuple[Message, str]:
    """A follow-up (or its reminder), or several due together for one person as one mail."""
    first = jobs[0]
    if len(jobs) == 1:
        rendered = renderer.followup(mail_for(first, config, secret), _language(first, config))
        return compose(first, rendered, config, secret), first.recipient_email
    rendered = renderer.followups([mail_for(job, config, secret) for job in jobs], _language(first, config))
    return compose_batch(jobs, rendered, config, secret), first.recipient_email


def notice(job: NoticeJob, renderer: Renderer, config: Config, secret: str) -> tuple[Message, str]:
    rendered = render_notice(renderer, notice_mail_for(job, config, secret), _language(job, config))
    return compose_notice(job, rendered, config, secret), job.introducer_email


def question(job: QuestionJob, renderer: Renderer, config: Config, secret: str) -> tuple[Message, str]:
    """"Was it an introduction?", to the sender of a message that was not recognised as one."""
    base = config.public_url
    page = f"{base}/q/{tokens.make(secret, tokens.QUESTION, job.question_id)}"
    mail = QuestionMail(
        name=job.name, subject=job.subject, sent_on=job.sent_on,
        candidates=tuple(Candidate(email, name, suggested) for email, name, suggested in job.candidates),
        log_url=f"{page}?choice=log", not_url=f"{page}?choice=not",
        never_url=f"{base}/q/never/{tokens.make(secret, tokens.NEVER_ASK, job.person_id)}",
        service_name=config.mail.from_name, service_url=base)
    rendered = render_question(renderer, mail, _language(job, config))
    return _message(job.name, job.email, job.person_id, job.tag, "question", rendered, config, secret), job.email


def pace_note(job: PaceJob, renderer: Renderer, config: Config, secret: str) -> tuple[Message, str]:
    """The weekly note to a participant behind pace, with its own pause and stop links."""
    page = f"{config.public_url}/pace/{tokens.make(secret, tokens.PACE, job.participant_id)}"
    mail = PaceMail(name=job.name, count=job.count, pace=job.pace, goal=job.goal, year=job.year,
                    team_count=job.team_count, team_goal=job.team_goal, service_address=config.service.address[0],
                    pause_url=f"{page}?do=pause", stop_url=f"{page}?do=stop",
                    unsubscribe_url=unsubscribe_url(config, secret, job.person_id),
                    service_name=config.mail.from_name, service_url=config.public_url)
    rendered = render_pace(renderer, mail, _language(job, config))
    return _message(job.name, job.email, job.person_id, job.tag, "pace", rendered, config, secret), job.email


def asked(job: AskJob, renderer: Renderer, config: Config, secret: str) -> tuple[Message, str | tuple[str, ...]]:
    """A mail about asking someone first (intro.consent): a note to the person asked, a
    word to the introducer, or the introduction itself, to both."""
    base, service = config.public_url, config.service.address[0]
    page = f"{base}/c/{tokens.make(secret, tokens.CONSENT, job.ask_id)}"
    asked_, other = job.asked, job.other
    recipient = job.recipients[0]
    introduction = job.kind == AskMailKind.INTRODUCTION
    mail = AskedMail(
        kind=f"ask_{job.kind}", recipient_name="" if introduction else recipient.name,
        introducer_name=job.introducer.name, introducer_email=job.introducer.email,
        asked_name=asked_.name if asked_ else "", asked_email=asked_.email if asked_ else "",
        other_name=other.name if other else "", other_email=other.email if other else "",
        subject=job.subject, asked_on=job.asked_on.date(),
        answer_urls={a: f"{page}?answer={a}" for a in ASK_CHOICES} if job.kind == AskMailKind.NUDGE else {},
        send_url=f"{base}/c/send/{tokens.make(secret, tokens.CONSENT_SEND, job.ask_id)}"
        if job.kind == AskMailKind.YES else "",
        body=job.body, ask_address=tagged(service, ASK_TAG, ""), expires_days=config.consent.expires.days,
        followup_days=config.followup.delay.days,
        unsubscribe_url="" if introduction else unsubscribe_url(config, secret, job.recipients[0].person_id),
        service_name=config.mail.from_name, service_url=base)
    rendered = render_asked(renderer, mail, _language(job, config))
    if not introduction:
        return _message(recipient.name, recipient.email, recipient.person_id, job.tag, f"ask-{job.kind}", rendered,
                        config, secret), recipient.email
    return _introduction(job, rendered, config), tuple(p.email for p in job.recipients)


def _introduction(job: AskJob, rendered: Rendered, config: Config) -> Message:
    """The introduction, from the service in its introducer's name (their own address in
    From would fail DMARC at their domain), to both people, copying the service; a reply
    goes to both and to the introducer. No List-Unsubscribe: it is the introducer's mail,
    sent once, not a list."""
    service = config.service.address[0]
    message = _message("", job.recipients[0].email, None, job.tag, "introduction", rendered, config, "")
    name = job.introducer.name or job.introducer.email
    message.replace_header("From", _address(f"{name} via {config.mail.from_name}", service))
    message.replace_header("To", ", ".join(_address(p.name, p.email) for p in job.recipients))
    message["Cc"] = _address(config.mail.from_name, service)
    message["Reply-To"] = ", ".join(_address(p.name, p.email) for p in (*job.recipients, job.introducer))
    return message


def webhook_note(job: NoteJob, renderer: Renderer, config: Config) -> tuple[Message, str]:
    """To an organizer: a webhook endpoint was disabled. No List-Unsubscribe: it is about
    the service they run, not a list."""
    shown = urlsplit(job.url)._replace(query="", fragment="").geturl()  # a query may hold a token
    mail = WebhookNoteMail(url=shown, disabled_at=job.disabled_at,
                           page_url=f"{config.public_url}/admin/webhooks", service_name=config.mail.from_name,
                           service_url=config.public_url)
    rendered = render_webhook_note(renderer, mail, _language(job, config))
    return _message("", job.email, None, job.tag, "webhook", rendered, config, ""), job.email


def link(job: LinkJob, renderer: Renderer, config: Config, secret: str) -> tuple[Message, str]:
    rendered = render_link(renderer, link_mail_for(job, config, secret), _language(job, config))
    return compose_link(job, rendered, config), job.email


def _address(name: str, address: str) -> str:
    if not address.isascii():
        # RFC 6532 addresses need UTF-8 headers end to end; the follow-up is marked failed
        # with this reason rather than sent with a mangled address.
        raise ValueError(f"internationalised addresses are not supported yet: {address!r}")
    # formataddr encodes a non-ASCII name (RFC 2047) and quotes one with specials.
    return formataddr((one_line(name), address), charset="utf-8")


def _header(text: str) -> str | Header:
    # A Header object is encoded (RFC 2047) and folded by the generator in one go.
    return text if text.isascii() else Header(text, "utf-8", header_name="Subject")


def compose(job: Job, rendered: Rendered, config: Config, secret: str) -> Message:
    """The follow-up, answered by replying to its tagged address."""
    service = config.service.address[0]
    message = _message(job.recipient_name, job.recipient_email, job.person_id, job.tag,
                       "reminder" if job.reminder else "followup", rendered, config, secret)
    message["Reply-To"] = tagged(service, ANSWER_TAG, job.tag)
    return message


def compose_batch(jobs: list[Job], rendered: Rendered, config: Config, secret: str) -> Message:
    """Several follow-ups to one person in one mail. No Reply-To: a reply could not say
    which introduction it answers, so the mail asks for the links instead."""
    first = jobs[0]
    return _message(first.recipient_name, first.recipient_email, first.person_id, first.tag, "followups",
                    rendered, config, secret)


def notice_mail_for(job: NoticeJob, config: Config, secret: str) -> NoticeMail:
    return NoticeMail(
        kind=str(job.kind), introducer_name=job.introducer_name, introducer_email=job.introducer_email,
        others=job.others, subject=job.subject, made_on=job.made_at.date(), year=job.year, goal=job.goal,
        count=job.count, answers=job.answers, unsubscribe_url=unsubscribe_url(config, secret, job.person_id),
        service_name=config.mail.from_name, service_url=config.public_url,
    )


def compose_notice(job: NoticeJob, rendered: Rendered, config: Config, secret: str) -> Message:
    return _message(job.introducer_name, job.introducer_email, job.person_id, job.tag, str(job.kind),
                    rendered, config, secret)


def lifetime_words(lifetime: timedelta, language: str) -> str:
    """How long a link works, in the mail's language: the templates say "It works once,
    for %(lifetime)s"."""
    t = languages.translations(language)
    if lifetime.days == 1:
        return t.gettext("a day")
    if lifetime.days:
        return t.ngettext("%(num)d day", "%(num)d days", lifetime.days) % {"num": lifetime.days}
    minutes = lifetime.seconds // 60
    return t.ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}


def link_mail_for(job: LinkJob, config: Config, secret: str) -> LinkMail:
    token = tokens.make(secret, str(job.purpose), job.link_id)
    path = "sign-in" if job.purpose in SIGNS_IN else "address" if job.purpose == LinkPurpose.ADDRESS else "join"
    words = lifetime_words(LIFETIME[job.purpose], _language(job, config))
    return LinkMail(purpose=str(job.purpose), email=job.email, name=job.name, year=job.year, inviter=job.inviter,
                    url=f"{config.public_url}/{path}/{token}", lifetime=words,
                    service_name=config.mail.from_name, service_url=config.public_url, owner=job.owner)


def compose_link(job: LinkJob, rendered: Rendered, config: Config) -> Message:
    """A link the person asked for (or an invitation): no List-Unsubscribe, as there is no
    list; the person asked for this one mail."""
    return _message(job.name, job.email, None, job.tag, str(job.purpose), rendered, config, "")


def _message(name: str, address: str, person_id: int | None, tag: str, kind: str, rendered: Rendered,
             config: Config, secret: str) -> Message:
    """A multipart/alternative message (text, then HTML) with the headers every mail of
    the service carries.

    Built with the compat32 classes of the email package: they take header values as
    written, where the default policy parses every header it is given, which was most of
    the cost of a follow-up (see bench/followups_send.py).
    """
    service = config.service.address[0]
    domain = service.partition("@")[2]
    # A boundary that cannot occur in base64 ("=" only pads, "_" is not in its alphabet),
    # so the generator need not search the parts for a safe one.
    message = MIMEMultipart("alternative", boundary=f"=_{tag}")
    message["From"] = _address(config.mail.from_name, service)
    message["To"] = _address(name, address)
    message["Subject"] = _header(one_line(rendered.subject))  # type: ignore[assignment]  # compat32 takes a Header too
    message["Date"] = format_datetime(utcnow())
    # Stable per mail (the tag is random and unique): should a copy ever go out twice,
    # mail clients fold the two into one.
    message["Message-ID"] = f"<{kind}.{tag}@{domain}>"
    # RFC 3834: generated mail; Microsoft's header keeps Exchange from answering it.
    # RFC 3282: the language it is written in (the HTML part says it too, in lang).
    message["Content-Language"] = rendered.language
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if person_id is not None:
        # RFC 2369 and RFC 8058: a mailto and a one-click https unsubscribe.
        mailto = tagged(service, UNSUBSCRIBE_TAG, tag)
        https = unsubscribe_url(config, secret, person_id)
        message["List-Unsubscribe"] = f"<mailto:{mailto}?subject=unsubscribe>, <{https}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach(MIMEText(rendered.text, "plain", _UTF8))
    message.attach(MIMEText(rendered.html, "html", _UTF8))
    return message
