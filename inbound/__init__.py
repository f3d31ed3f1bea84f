"""Mail coming in: the front door before the 250, and the processor after it.

The front door, in reading order (the SMTP transaction; no domain logic):

- ``server``: the SMTP or LMTP server as a component of `intro serve`;
- ``guard``: connection and message-rate limits per client (421, 451);
- ``handler``: the aiosmtpd handler: check the recipients, store durably, answer;
- ``policy``: which recipients the service accepts;
- ``group_commit``: concurrent arrivals committed together, each sender answered once durable;
- ``authentication``: DKIM/DMARC or a trusted MTA's Authentication-Results (DNS).

After the 250:

- ``understanding/``: what a message means, from its bytes alone (pure: no database);
- ``processor``: reads stored messages, understands them, hands them to the domain to record;
- ``importer`` and ``mailboxes``: backfilling from mbox, Maildir and .eml files;
- ``cli``: `intro smtp`, `intro inspect`, `intro import`.
"""
