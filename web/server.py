"""The web site as a component of `intro serve`, on waitress (a production WSGI server)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from waitress import create_server
from waitress.server import BaseWSGIServer
from waitress.wasyncore import close_all

from core.config import Config
from web import create_app

log = logging.getLogger(__name__)


class WebComponent:
    name = "web"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        app = create_app(config, engine)
        server = create_server(app, host=config.web.host, port=config.web.port, threads=4)
        assert isinstance(server, BaseWSGIServer)  # one host and port, so one socket
        self.server = server
        self._thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    def start(self) -> None:
        self._thread.start()
        log.info("web site on http://%s:%s/", self.config.web.host, self.config.web.port)

    def stop(self) -> None:
        # Let requests in progress finish, then close every socket; the loop ends when
        # its map is empty (within waitress's one-second poll).
        self.server.task_dispatcher.shutdown()
        close_all(self.server._map)
        self._thread.join(timeout=5)
