"""Settings: every environment variable is documented, and production settings pass Django's checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_read_by_settings_is_in_the_readme():
    settings_source = (ROOT / "jpoa" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in read if f"`{name}`" not in readme)
    assert not undocumented, f"add these to the README's configuration table: {undocumented}"


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "JPOA_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "DEBUG": "0",
        "JPOA_HTTPS": "1",
        "ALLOWED_HOSTS": "jpoa.example.org",
        "JPOA_COORDINATOR_2FA": "1",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "DJANGO_SETTINGS_MODULE": "jpoa.settings"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_server_processes_share_one_page_cache(tmp_path):
    # Each worker process of `jpoa serve` is a process of its own: a page one builds must
    # be there for the others (the cache lives in the data directory, not in memory).
    env = {**os.environ, "JPOA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jpoa.settings"}
    setup = "import django; django.setup(); from django.core.cache import cache; "

    def python(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", setup + code], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    python("cache.set('page', 'built once', 60)")
    assert python("print(cache.get('page'))") == "built once"
    assert any((tmp_path / "cache").iterdir())
