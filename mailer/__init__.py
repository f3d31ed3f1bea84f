"""Mail going out. The domain decides what is due (intro.outbox and its kinds); this
package writes and sends it. In reading order:

- ``outbox``: one pass for every kind of mail: claim, write, send, settle;
- ``compose``: each kind's message and the headers every mail carries;
- ``render``: the wording, from templates/email/ (Jinja2), with every value cleaned;
- ``send``: the relay over SMTP, or the outbox folder when there is none;
- ``signing``: the DKIM signatures on every mail, over the bytes as sent;
- ``webhooks``: one pass of the webhook deliveries: signed (Standard Webhooks), posted
  to the addresses checked, settled;
- ``scheduler``: passes every minute (links within seconds) inside `intro serve`;
- ``cli``: `intro followups run`, one pass by hand; `intro dkim keygen`.
"""
