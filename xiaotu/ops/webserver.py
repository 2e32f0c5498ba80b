"""waitress for `xiaotu serve`, with the desks' connections shared out evenly between the web processes.

`xiaotu serve` forks one web process per core, all listening on one socket. Left to the kernel, whichever process
wakes first takes a new connection, and a desk keeps its connection (keep-alive) all day: three desks on one process
and one on the other happens as often as two and two, and then three desks queue for one core, since a Python
process runs on one core at a time, while the other core idles. With four desks driven flat out, the three on the
crowded process waited 14.3 ms at the 95th percentile against 11.4 ms when the desks were split two and two.

So each process publishes how many connections it has open in a small table in shared memory, and listens for new
ones only while no other process has fewer (the least-connections rule of load balancers). A process re-reads the
table on every turn of its event loop, at least once a second; one with the fewest always listens.
"""

from __future__ import annotations

import socket
from multiprocessing.sharedctypes import RawArray
from typing import Any, cast

from waitress.adjustments import Adjustments
from waitress.server import BaseWSGIServer, MultiSocketServer, TcpWSGIServer, create_server

# Scanners and kiosks keep connections open; a whole class arriving at once must not be refused.
CONNECTION_LIMIT = 200


class Loads:
    """Open connections per web process, in memory the forked processes share."""

    def __init__(self, processes: int) -> None:
        self._open = RawArray("i", processes)

    def __len__(self) -> int:
        return len(self._open)

    def publish(self, slot: int, connections: int) -> None:
        self._open[slot] = connections

    def fewest(self) -> int:
        return int(min(self._open))


class BalancedServer(TcpWSGIServer):
    """waitress's TCP server that accepts only while its process has the fewest open connections."""

    def __init__(self, application: Any, *, listener: socket.socket, adj: Adjustments, loads: Loads, slot: int):
        self.loads, self.slot = loads, slot
        sockinfo = (listener.family, listener.type, listener.proto, listener.getsockname())
        super().__init__(application, {}, True, listener, adj=adj, bind_socket=False, sockinfo=sockinfo)

    def readable(self) -> bool:
        # Asked by the event loop before every wait: whether to wait for new connections too.
        accepting = bool(super().readable())
        mine = len(cast(dict[int, Any], self.active_channels))  # a dict of channels, whatever the stubs say
        self.loads.publish(self.slot, mine)
        return accepting and mine <= self.loads.fewest()


def web_server(
    listener: socket.socket, *, threads: int, loads: Loads | None = None, slot: int = 0
) -> BaseWSGIServer | MultiSocketServer:
    """The server for one web process; with `loads`, one of several sharing `listener` by their open connections."""
    from xiaotu.wsgi import application

    settings: dict[str, Any] = {"threads": threads, "ident": "xiaotu", "connection_limit": CONNECTION_LIMIT}
    if loads is None:
        return create_server(application, sockets=[listener], **settings)
    adj = Adjustments(sockets=[listener], **settings)
    return BalancedServer(application, listener=listener, adj=adj, loads=loads, slot=slot)
