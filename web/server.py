"""The web site as a component of `intro serve`, on waitress (a production WSGI server)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from waitress import create_server
from waitress.server import BaseWSGIServer
from waitress.wasyncore import close_all, loop

from intro.config import Config
from intro.errors import ListenError
from web import create_app

log = logging.getLogger(__name__)


class WebComponent:
    name = "web"

    def __init__(self, config: Config, engine: Engine) -> None:
        self.config = config
        self.app = create_app(config, engine)
        self.server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        host, port = self.config.web.host, self.config.web.port
        try:
            server = create_server(self.app, host=host, port=port, threads=4)
        except OSError as e:
            raise ListenError("HTTP", host, port, e, "INTRO_WEB_PORT") from None
        assert isinstance(server, BaseWSGIServer)  # one host and port, so one socket
        self.server = server
        self._thread = threading.Thread(target=self._serve, args=(server,), name="web", daemon=True)
        self._thread.start()
        log.info("web site on http://%s:%s/", host, port)

    def stop(self) -> None:
        if self.server is None or self._thread is None:
            return
        self._stopping.set()
        self.server.pull_trigger()  # wake its select() now rather than at the next timeout
        self._thread.join(timeout=10)

    def _serve(self, server: BaseWSGIServer) -> None:
        # waitress's own run() loops until its sockets are closed, and closing them from
        # another thread pulls them out from under its select() (EBADF). So the loop runs
        # here, one poll at a time, and this same thread closes everything at the end.
        while not self._stopping.is_set():
            loop(timeout=1.0, map=server._map, count=1)
        server.task_dispatcher.shutdown()  # lets requests in progress finish
        close_all(server._map)
