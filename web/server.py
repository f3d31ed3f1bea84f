"""The web site as a component of `intro serve`, on waitress (a production WSGI server)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from waitress import create_server
from waitress.server import BaseWSGIServer
from waitress.wasyncore import close_all

from core.config import Config
from core.errors import ListenError
from web import create_app

log = logging.getLogger(__name__)


class WebComponent:
    name = "web"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.app = create_app(config, engine)
        self.server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        host, port = self.config.web.host, self.config.web.port
        try:
            server = create_server(self.app, host=host, port=port, threads=4)
        except OSError as e:
            raise ListenError("HTTP", host, port, e, "INTRO_WEB_PORT") from None
        assert isinstance(server, BaseWSGIServer)  # one host and port, so one socket
        self.server = server
        self._thread = threading.Thread(target=server.run, name="web", daemon=True)
        self._thread.start()
        log.info("web site on http://%s:%s/", self.config.web.host, self.config.web.port)

    def stop(self) -> None:
        # Let requests in progress finish, then close every socket; the loop ends when
        # its map is empty (within waitress's one-second poll).
        if self.server is None or self._thread is None:
            return
        self.server.task_dispatcher.shutdown()
        close_all(self.server._map)
        self._thread.join(timeout=5)
