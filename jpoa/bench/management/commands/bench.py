"""`jpoa bench generate | run`: a synthetic data set in a database of its own, and its figures.

Both work on a benchmark database (SQLite in --data-dir, or --database-url), never on
the user's: they run jpoa's own commands in child processes whose environment names
that database. `fill`, `publish-time` and `datasette-export` are those children's steps.
"""

import json
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from jpoa.bench import runner
from jpoa.bench.target import Target
from jpoa.lib.commands import JpoaCommand


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(JpoaCommand):
    help = (
        "Benchmark jpoa: `generate` writes a synthetic, clearly labelled data set into a "
        "database of its own; `run` serves it with gunicorn and measures latency, "
        "throughput, publishing, imports and memory, beside Datasette on the same data."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="generate|run")
        generate = commands.add_parser("generate", help="write the synthetic data set")
        generate.add_argument("--activities", type=positive_int, required=True, metavar="N")
        generate.add_argument("--organisations", type=positive_int, default=400, metavar="N")
        generate.add_argument("--editions", type=positive_int, default=2, metavar="N")
        generate.add_argument("--seed", type=int, default=1)
        run = commands.add_parser("run", help="serve the data set and measure it")
        run.add_argument("--clients", type=positive_int, default=8, metavar="N")
        run.add_argument("--requests", type=positive_int, default=200, metavar="N", help="per view")
        run.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
        run.add_argument(
            "--servers",
            type=positive_int,
            default=1,
            metavar="N",
            help="start N `jpoa serve` processes and spread the clients over them",
        )
        run.add_argument(
            "--import-rows", type=positive_int, default=2000, metavar="N", help="per file"
        )
        run.add_argument("--skip", action="append", default=[], choices=runner.OPTIONAL_STEPS)
        run.add_argument(
            "--never-asked",
            type=int,
            default=40,
            metavar="N",
            help="combinations of filters never asked before, per matrix view and API twin "
            "(random; 0: none)",
        )
        run.add_argument(
            "--seed", type=int, default=20, help="of the never-asked combinations (printed)"
        )
        for sub in (generate, run):
            sub.add_argument(
                "--data-dir",
                type=Path,
                help="the benchmark's own data directory (default: bench/ in JPOA_DATA_DIR)",
            )
            sub.add_argument(
                "--database-url", default="", help="PostgreSQL database (default: SQLite)"
            )
        # Steps run inside the benchmark database's environment (by generate and run).
        fill = commands.add_parser("fill")
        fill.add_argument("--activities", type=int, required=True)
        fill.add_argument("--organisations", type=int, default=400)
        fill.add_argument("--editions", type=int, default=2)
        fill.add_argument("--seed", type=int, default=1)
        commands.add_parser("publish-time")

    def handle(self, *args, action: str, **options):
        if action == "fill":
            return self.fill(**options)
        if action == "publish-time":
            return self.publish_time()
        target = Target.choose(options["data_dir"], options["database_url"])
        if target.is_users_database():
            raise CommandError(
                "that is the database jpoa itself uses; the benchmark needs one of its own "
                "(another --data-dir or --database-url)"
            )
        if action == "generate":
            return self.generate(target, **options)
        return self.run(target, **options)

    def generate(self, target: Target, *, activities, organisations, editions, seed, **options):
        started = time.perf_counter()
        self.stdout.write(f"Benchmark database: {target.describe()}")
        target.jpoa("init")  # the default data set: countries, pillars, plan; no activities
        target.jpoa(
            "bench",
            "fill",
            f"--activities={activities}",
            f"--organisations={organisations}",
            f"--editions={editions}",
            f"--seed={seed}",
        )
        manifest = target.manifest()
        self.stdout.write(
            f"Generated {manifest['activities']:,} synthetic activities of "
            f"{manifest['organisations']} organisations in {time.perf_counter() - started:.0f} s; "
            f"published editions {manifest['editions']} "
            f"({', '.join(f'{s:.1f} s' for s in manifest['publish_seconds'])})."
        )

    def run(
        self,
        target: Target,
        *,
        clients,
        requests,
        json,
        import_rows,
        skip,
        servers,
        never_asked=40,
        seed=20,
        **opts,
    ):
        if not target.manifest_path.exists():
            raise CommandError(
                f"no benchmark data set in {target.data_dir}; run `jpoa bench generate` first"
            )
        report = runner.run(
            target,
            clients=clients,
            requests=requests,
            import_rows=import_rows,
            skip=set(skip),
            say=self.say,
            servers=servers,
            seed=seed,
            never_asked=never_asked,
        )
        self.stdout.write(runner.table(report))
        if json:
            Path(json).write_text(_dumps(report), encoding="utf-8")
            self.stdout.write(f"Figures written to {json}")

    def say(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    # -- the steps inside the benchmark database's environment --------------------------

    def fill(self, *, activities, organisations, editions, seed, **options):
        from jpoa.bench import datasette, synthetic

        try:
            result = synthetic.generate(
                activities=activities,
                organisations=organisations,
                editions=editions,
                seed=seed,
                progress=self.say,
            )
        except synthetic.NotSynthetic as exc:
            raise CommandError(str(exc)) from None
        t = time.perf_counter()
        rows = datasette.export(settings.DATA_DIR / datasette.FILE_NAME)
        self.say(f"exported {rows:,} rows for Datasette in {time.perf_counter() - t:.0f} s")
        manifest = synthetic.manifest(result)
        (settings.DATA_DIR / Target.MANIFEST).write_text(_dumps(manifest), encoding="utf-8")

    def publish_time(self):
        """Publish the next edition, time it, and roll it back: the data set stays as it is."""
        from django.db import transaction

        from jpoa.accounts.actors import BENCHMARK
        from jpoa.matrix.editions import PUBLISHING_CACHE_MB_ALONE, publish_edition
        from jpoa.search import index as search_index

        class RolledBack(Exception):
            pass

        t = time.perf_counter()
        try:
            with transaction.atomic():
                # As `jpoa publish` publishes: a process of its own, with its page cache.
                edition = publish_edition(
                    title="Benchmark (rolled back)",
                    by=BENCHMARK,
                    cache_mb=PUBLISHING_CACHE_MB_ALONE,
                )
                count = edition.activity_count
                seconds = time.perf_counter() - t
                t = time.perf_counter()
                search_index.reindex_activities()  # as the task the publication queued does
                search_seconds = time.perf_counter() - t
                raise RolledBack
        except RolledBack:
            pass
        figures = {
            "seconds_inside": round(seconds, 2),
            "search_seconds_inside": round(search_seconds, 2),
            "activities": count,
        }
        sys.stdout.write(_dumps(figures) + "\n")


def _dumps(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
