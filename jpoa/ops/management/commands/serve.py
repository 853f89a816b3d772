import gc
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
        from django.urls import get_resolver

        from jpoa.wsgi import application

        # Loaded once in the master (`preload_app`) and shared by the workers, whose
        # memory then holds only what they change (issue #20): the URL patterns import
        # every view, the API and its schemas. The objects made so far are left out of
        # the garbage collector's passes, which would otherwise write to (and so copy)
        # every shared page in every worker.
        get_resolver().url_patterns  # noqa: B018 - imports the views
        connections.close_all()  # no connection crosses the fork
        gc.freeze()
        return application


# SQLite's own cache of pages, per connection, in a web worker (KiB). Each thread of each
# worker has a connection, and its cache is private memory that only grows: at 64 MB
# (the default in settings, right for publishing and imports) a worker could hold 256
# MB of pages the system's page cache holds anyway, once, for every process. The pages
# a request reads come from there in microseconds.
WORKER_PAGE_CACHE_KIB = 8_000


def _small_page_cache(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{WORKER_PAGE_CACHE_KIB}")


def _start_worker(worker) -> None:
    from django.db.backends.signals import connection_created

    from jpoa.matrix import columnar
    from jpoa.search import memory

    connection_created.connect(_small_page_cache)
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
                "post_worker_init": _start_worker,
                "preload_app": True,
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
