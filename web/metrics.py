"""`GET /metrics`: the service's figures in the Prometheus text format, off unless
[web] metrics = true (then this blueprint is registered; otherwise the path is a 404).

Every figure is counted from the database at each scrape (intro.metrics), never kept in
this process: the SMTP server, the processor and the scheduler may run elsewhere. Nothing
in it names a person, but it tells how busy the service is: scrape it from inside, and
keep it behind the proxy or firewall (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from intro import metrics
from intro.db import transaction
from intro.meaning import KINDS
from intro.timeutil import utcnow
from web import base

bp = Blueprint("metrics", __name__)


class Figures(Collector):
    """Counts from the database when collected, in one read transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with transaction(self.engine) as session:
            messages = metrics.messages(session)
            lag = metrics.processing_lag(session, now)
            mails = metrics.mails(session)
            due = metrics.followups_due(session, now)
            answers = metrics.answers(session)
        received = CounterMetricFamily(
            "intro_messages_received", "Messages received and stored (one Message-ID is stored once)")
        received.add_metric([], sum(messages.values()))
        yield received
        processed = CounterMetricFamily(
            "intro_messages_processed", "Messages understood, by what they were read as (failed: processing raised)",
            labels=["kind"])
        for kind in dict.fromkeys([*KINDS, "failed", *messages]):
            if kind != "new":
                processed.add_metric([kind], messages.get(kind, 0))
        yield processed
        yield GaugeMetricFamily("intro_messages_unprocessed", "Messages stored and not yet understood",
                                value=messages.get("new", 0))
        yield GaugeMetricFamily("intro_processing_lag_seconds",
                                "Age of the oldest message not yet understood; 0 when none waits", value=lag)
        mail = GaugeMetricFamily("intro_mails", "Mails of each kind by status (a reminder is not counted apart)",
                                 labels=["kind", "status"])
        for (kind, status), n in mails.items():
            mail.add_metric([kind, status], n)
        yield mail
        yield GaugeMetricFamily("intro_followups_due", "Follow-ups whose time has come, not yet sent", value=due)
        answered = GaugeMetricFamily("intro_answers", "The latest answer of each follow-up, as the tallies count it",
                                     labels=["value"])
        for value, n in answers.items():
            answered.add_metric([value], n)
        yield answered


@bp.get("/metrics")
def scrape() -> Response:
    # A registry of its own (not prometheus_client's global one, which would add this
    # process's Python figures): the collector runs its queries only when scraped.
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Figures(base.engine()))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
