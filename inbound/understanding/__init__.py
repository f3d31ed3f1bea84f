"""What a received message means, from its bytes alone. Pure: no I/O, no database.

Bytes in, a small dataclass out, so every step is tested and measured on its own. In
reading order:

- ``mime``: the one tolerant MIME reader: headers, Message-IDs, parts, text; never raises;
- ``html_text``: HTML bodies as plain text, quoted blocks marked as quotes;
- ``people``: addresses in headers, normalised;
- ``parse``: the few facts the service needs (``Parsed``);
- ``classify``: the kind of message, who introduced whom, what a reply answers, what a
  person asks (an ``intro.meaning.Meaning``);
- ``recognition``: whether a new message to two or more people introduces them: evidence
  weighed into one score, with ``lexicon``, the words of introducing in many languages,
  ``names`` and ``nicknames``, what people are called and how a text names them, and
  ``providers``, the mail domains many unrelated people share;
- ``automatic``: mail a machine wrote, never answered (RFC 3834), by way of
  ``bounces`` and ``dsn`` (delivery reports) and ``autoreplies`` (responders);
- ``forwarded``: the block of a forwarded message;
- ``quotes`` and ``quote_markers``: the new text of a reply, without the quoted thread;
- ``answers`` and ``answer_phrases``: "did it help?" read from a reply's new text;
- ``intro_phrases`` and ``folding``: the words of introducing, matched in any case and accent;
- ``commands``: what a person asks of the service in a subject (join, export, forget);
- ``consent``: a message copying intro+ask@: whom it names, and what an answer to an ask
  says (yes, not now, no).
"""
