"""Receiving intro's webhooks, with Python's standard library alone: each delivery's
signature checked (Standard Webhooks), a webhook-id seen before dropped, the event printed.

    WEBHOOK_SECRET=whsec_... python3 receive.py
"""

import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verified(secret: str, headers, body: bytes) -> bool:
    """Whether ``body`` was signed with ``secret`` in the last five minutes."""
    webhook_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False  # too old or too new: a replay, or a clock far off
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(signed).decode()
    return any(hmac.compare_digest(expected, given) for given in headers.get("webhook-signature", "").split())


class Receiver(BaseHTTPRequestHandler):
    seen: set[str] = set()  # in earnest, keep these in your database

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not verified(os.environ["WEBHOOK_SECRET"], self.headers, body):
            self.send_response(401)
        else:
            if self.headers["webhook-id"] not in self.seen:  # at least once: a repeat is possible
                self.seen.add(self.headers["webhook-id"])
                event = json.loads(body)
                print(event["type"], event["data"])
            self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("", 8080), Receiver).serve_forever()
