"""Sharing connections between web processes: a process listens only while no other has fewer open."""

from __future__ import annotations

import socket
from typing import cast

from xiaotu.ops.webserver import BalancedServer, Loads, web_server


def test_a_process_listens_for_new_connections_only_while_it_has_the_fewest():
    listener = socket.create_server(("127.0.0.1", 0))
    loads = Loads(2)
    server = web_server(listener, threads=1, loads=loads, slot=0)
    assert isinstance(server, BalancedServer)
    channels = cast(dict[int, object], server.active_channels)  # what waitress counts: its open connections
    try:
        assert server.readable()  # none open anywhere
        channels[1001] = object()  # a desk connects to this process
        assert not server.readable()  # 1 here, 0 in the other: the other takes the next desk
        loads.publish(1, 1)
        assert server.readable()  # one each
        loads.publish(1, 3)
        channels[1002] = object()
        assert server.readable()  # 2 here, 3 there
        assert list(loads._open) == [2, 3]
    finally:
        server.close()
        server.task_dispatcher.shutdown()
