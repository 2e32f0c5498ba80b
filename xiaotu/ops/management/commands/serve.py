"""`xiaotu serve`: the embedded production server (waitress) with the background jobs in the same process."""

from __future__ import annotations

import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("运行校图服务器（waitress）和后台任务。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址；局域网内其他电脑访问时用 0.0.0.0"))
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-jobs", action="store_true", help=_("不在本进程中运行后台任务"))
        parser.add_argument("--no-migrate", action="store_true", help=_("启动前不检查数据库升级"))

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress.server import create_server

        from xiaotu.ops.welcome import login_hint
        from xiaotu.wsgi import application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        consumer = None if options["no_jobs"] else self._start_jobs()
        server = create_server(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="xiaotu",
            # Scanners and kiosks keep connections open; a generous backlog keeps a class's rush from being refused.
            backlog=256,
            connection_limit=200,
        )
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("校图已启动：%(url)s  （按 Ctrl+C 停止）") % {"url": url})
        if hint := login_hint():
            self.stdout.write(hint)
        self.stdout.flush()
        signal.signal(signal.SIGTERM, _exit_quietly)
        try:
            server.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            server.close()
            if consumer is not None:
                consumer.stop(graceful=True)

    def _start_jobs(self) -> Any:
        """Run huey's consumer as threads of this process: one process to start on a school PC."""
        if getattr(settings, "HUEY", {}).get("immediate"):
            return None
        from django.utils.module_loading import autodiscover_modules
        from huey.contrib.djhuey import HUEY

        # As `run_huey` does: the periodic tasks must be registered before the consumer's scheduler starts.
        autodiscover_modules("tasks")
        logging.getLogger("huey").setLevel(logging.WARNING)
        consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=True, check_worker_health=True)
        consumer.start()
        # huey's start() installs its own signal handlers for a stand-alone consumer; the server owns them here.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from xiaotu.ops.tasks import daily_backup

        # School PCs are off at night: catch up on the day's backup now rather than at the next hourly check.
        daily_backup()
        return consumer


def _exit_quietly(signum: int, frame: object) -> None:
    """SIGTERM (a service manager stopping us) ends the loop the way Ctrl+C does."""
    raise SystemExit(0)
