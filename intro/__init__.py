"""The domain: what the service knows and decides. Imports nothing from inbound/,
mailer/ or web/; every arrow points here (tests/test_layers.py). In reading order:

Foundations
- ``config`` (with ``values``): settings, loaded once into frozen dataclasses;
- ``errors`` and ``logs``: user errors apart from system errors; redacted logging;
- ``db``: the engine and explicit transactions; ``models``: the tables (with ``timeutil``
  and ``upsert``); ``schema``: migrations (``migrations/``) run from the code.

Words shared with the doors (pure: no database)
- ``meaning``: what a message means (``Meaning``, ``AnswerValue``, ``Command``);
- ``addresses``: normalised addresses and the service's tagged forms; ``text``: text
  from headers and forms, safe on one line.

Receiving
- ``messages``: storing arrivals durably, once per Message-ID;
- ``recording``: carrying out what a message means, with ``people`` (and ``merging``: a
  person's other addresses, two people who are one), ``campaigns``,
  ``counts`` (figures kept exact on write, with ``growth``: who brought whom in),
  ``answers`` and ``trust`` (held introductions).

Sending, at most once
- ``outbox``: the one mechanism: claim, send, settle, retry per kind;
- ``followups``, ``links``, ``notices`` and ``questions`` ("was it an introduction?"): the
  kinds of mail; ``tokens`` and ``secret``:
  the signed links in them; ``pace``: the weekly note to participants behind the
  year's pace; ``consent``: asking one person first (intro+ask@), the answer, and the
  mails about it; ``wakeup``: a nudge to the scheduler; ``dkim_keys``: the keys
  mail is signed with, and the DNS record each needs.

Telling other systems, at least once
- ``webhooks``: the endpoints organizers add, the events queued for them (no one
  introduced is named), the hosts they may point at; ``deliveries``: the outbox's kind
  that delivers them, retried, and the note when an endpoint is disabled.

Reading
- ``tallies``: the public figures; ``personal``: one's own page; ``overview``: the
  organizer's view and `intro intros`; ``review``: what waits for an organizer's eye;
  ``stats``: counts; ``metrics``: the figures `/metrics` shows, counted at each scrape;
  ``privacy``: export, forget, retention (with ``mail_text``, every text
  a stored message holds, decoded, and ``suppression``, the forgotten as keyed hashes);
  ``sessions``: who is signed in, kept on the server so that signing out ends it.

Running
- ``languages``: the seven languages intro writes, which one each person gets, the
  catalogs in ``translations/``, dates and numbers as each language writes them;
- ``cli`` and ``components``: the `intro` command and the parts `intro serve` runs (with
  ``memory``: large blocks given back to the system once freed);
  ``person_cli``, ``demo`` and ``backup``: `intro person`, `intro demo`, `intro db backup`;
  ``readiness``: `intro check`, with ``dns_records`` (MX, SPF, DKIM and DMARC records).
"""
