"""`xiaotu serve`: the embedded production server (waitress) with the background jobs beside it.

On Windows it is one process. Elsewhere it also forks one web process per core (`--workers`, up to four) on a
shared listening socket, because one Python process is held to one core, and each new connection goes to the
process with the fewest open (xiaotu/ops/webserver.py). The background jobs stay in the parent, which also restarts
a web process that dies.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from xiaotu.ops.webserver import Loads, web_server

MAX_AUTO_WORKERS = 4


def default_workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


class Command(BaseCommand):
    help = _("运行校图服务器（waitress）和后台任务。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址；局域网内其他电脑访问时用 0.0.0.0"))
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=6, help=_("每个进程的线程数"))
        parser.add_argument(
            "--workers", type=int, default=None, help=_("网页进程数（默认：CPU 核数，最多 4；Windows 上为 1）")
        )
        parser.add_argument("--no-jobs", action="store_true", help=_("不运行后台任务"))
        parser.add_argument("--no-migrate", action="store_true", help=_("启动前不检查数据库升级"))

    def handle(self, *args: Any, **options: Any) -> None:
        from xiaotu.ops.welcome import login_hint

        workers = options["workers"] or default_workers()
        if workers < 1 or (workers > 1 and not hasattr(os, "fork")):
            raise CommandError(_("这个系统上只能用 1 个网页进程。"))
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        listener = socket.create_server((options["host"], options["port"]), backlog=256)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("校图已启动：%(url)s  （按 Ctrl+C 停止）") % {"url": url})
        if hint := login_hint():
            self.stdout.write(hint)
        self.stdout.flush()
        signal.signal(signal.SIGTERM, _exit_quietly)
        if workers == 1:
            self._serve_here(listener, options)
        else:
            self._serve_forked(listener, options, workers)

    def _serve_here(self, listener: socket.socket, options: dict[str, Any]) -> None:
        consumer = None if options["no_jobs"] else _start_jobs()
        server = web_server(listener, threads=options["threads"])
        try:
            server.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            server.close()
            if consumer is not None:
                consumer.stop(graceful=True)

    def _serve_forked(self, listener: socket.socket, options: dict[str, Any], workers: int) -> None:
        # Children must not share the parent's database connections; fork before any thread starts.
        connections.close_all()
        loads = Loads(workers)
        threads = options["threads"]
        children = {_fork_web(listener, threads, loads, slot): slot for slot in range(workers)}
        consumer = None if options["no_jobs"] else _start_jobs()
        try:
            while True:
                time.sleep(1)
                for pid, slot in list(children.items()):
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        del children[pid]
                        logging.getLogger("xiaotu").warning(
                            "web process %s stopped (%s); starting another", pid, status
                        )
                        # Its connections died with it; until the new process says otherwise it has none.
                        loads.publish(slot, 0)
                        connections.close_all()
                        children[_fork_web(listener, threads, loads, slot)] = slot
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            for pid in children:
                _signal(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for pid in children:
                while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
                    time.sleep(0.05)
                _signal(pid, signal.SIGKILL)
            if consumer is not None:
                consumer.stop(graceful=True)


def _fork_web(listener: socket.socket, threads: int, loads: Loads, slot: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    # The child: serve until told to stop, then leave without running the parent's clean-up.
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole group; the parent decides.
        signal.signal(signal.SIGTERM, _exit_quietly)
        server = web_server(listener, threads=threads, loads=loads, slot=slot)
        try:
            server.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            server.close()
    except BaseException:
        logging.getLogger("xiaotu").exception("web process failed")
        code = 1
    finally:
        os._exit(code)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
        if signum == signal.SIGKILL:
            os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _start_jobs() -> Any:
    """Run huey's consumer as threads of this process: nothing else to start on a school PC."""
    if getattr(settings, "HUEY", {}).get("immediate"):
        return None
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    # As `run_huey` does: the periodic tasks must be registered before the consumer's scheduler starts.
    autodiscover_modules("tasks")
    logging.getLogger("huey").setLevel(logging.WARNING)
    # Poll at least once a second: a librarian waits on the page for an import job to start.
    consumer = HUEY.create_consumer(
        workers=1, worker_type="thread", periodic=True, check_worker_health=True, max_delay=1.0
    )
    consumer.start()
    # huey's start() installs its own signal handlers for a stand-alone consumer; the server owns them here.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_quietly)
    from xiaotu.ops.tasks import daily_backup

    # School PCs are off at night: catch up on the day's backup now rather than at the next hourly check.
    daily_backup()
    return consumer


def _exit_quietly(signum: int, frame: object) -> None:
    """SIGTERM (a service manager stopping us) ends the loop the way Ctrl+C does."""
    raise SystemExit(0)
