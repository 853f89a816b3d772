"""The benchmark's own database, and running jpoa's commands against it in child processes."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Target:
    """A data directory (static files, the manifest, SQLite) and, optionally, a database URL."""

    data_dir: Path
    database_url: str = ""

    MANIFEST = "bench.json"

    @classmethod
    def choose(cls, data_dir: Path | None, database_url: str = "") -> "Target":
        return cls((data_dir or settings.DATA_DIR / "bench").resolve(), database_url)

    def is_users_database(self) -> bool:
        if self.database_url or settings.DATABASE_URL:
            return self.database_url == settings.DATABASE_URL
        return self.data_dir == Path(settings.DATA_DIR).resolve()

    def describe(self) -> str:
        if self.database_url:
            return self.database_url.split("@")[-1]
        return str(self.data_dir / "jpoa.sqlite3")

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / self.MANIFEST

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def env(self) -> dict[str, str]:
        env = dict(os.environ, JPOA_DATA_DIR=str(self.data_dir), DEBUG="")
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "jpoa", *args]

    def jpoa(self, *args: str, capture: bool = False) -> str:
        """Run `jpoa ARGS` against this database; its errors end the benchmark."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            self.command(*args),
            env=self.env(),
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"`jpoa {' '.join(args)}` failed (exit {done.returncode})")
        return done.stdout or ""
