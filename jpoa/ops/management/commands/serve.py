import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

from jpoa.lib.commands import JpoaCommand, require_migrated_database


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class JpoaServer(BaseApplication):
    """gunicorn, configured in code, serving jpoa's WSGI application."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            if name in self.cfg.settings:  # settings differ between gunicorn versions
                self.cfg.set(name, value)

    def load(self):
        from jpoa.wsgi import application

        return application


def _read_search_facets(worker) -> None:
    from jpoa.matrix import columnar
    from jpoa.search import memory

    memory.load_in_background()
    columnar.load_latest_in_background()  # the latest edition's arrays, for the matrix


class Command(JpoaCommand):
    help = (
        "Serve the site with gunicorn, a production web server. It does not change the "
        "database: run `jpoa init` first. Behind a reverse proxy, keep the default host "
        "127.0.0.1; stop with Ctrl+C or SIGTERM (in-flight requests are finished)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to listen on (default: %(default)s; 0.0.0.0 for all interfaces)",
        )
        parser.add_argument(
            "--port", type=positive_int, default=8000, help="port (default: %(default)s)"
        )
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=2,
            metavar="N",
            help="worker processes (default: %(default)s; about 2 per CPU core)",
        )
        parser.add_argument(
            "--threads",
            type=positive_int,
            default=4,
            metavar="N",
            help="threads per worker process (default: %(default)s)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="task_worker",
            help="do not start `jpoa worker` beside the web server (run it yourself, once)",
        )

    def handle(self, *args, host, port, workers, threads, task_worker, **options):
        require_migrated_database()
        self.require_collected_static_files()
        # Pages cached by the code that ran before (the cache is kept on disk) may not be
        # what this code renders: start without them.
        cache.clear()
        connections.close_all()  # the workers open their own after the fork
        address = f"[{host}]" if ":" in host else host
        server = JpoaServer(
            {
                "bind": f"{address}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 30,
                "accesslog": "-",
                "errorlog": "-",
                "proc_name": "jpoa",
                # gunicorn >= 25.1 opens a control socket shared by every instance of a user.
                "control_socket_disable": True,
                "post_worker_init": _read_search_facets,
            }
        )
        self.stdout.write(f"jpoa: serving http://{address}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        # The long work started from the web (imports, publications) runs in its own process.
        worker = subprocess.Popen([sys.executable, "-m", "jpoa", "worker"]) if task_worker else None
        try:
            server.run()
        finally:
            if worker is not None:
                worker.terminate()  # it finishes the task in hand, then stops
                worker.wait()

    def require_collected_static_files(self) -> None:
        """With hashed static file names (production), the manifest must exist."""
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return
        manifest = settings.STATIC_ROOT / staticfiles_storage.manifest_name
        if not manifest.exists():
            raise CommandError(
                f"the static files are not collected ({manifest} is missing); run `jpoa init` "
                "or `jpoa collectstatic` first"
            )
