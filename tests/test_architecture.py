"""The direction of the house: import-linter's layer contract (pyproject.toml) holds, and it
would catch an app importing against the direction."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=package_parent,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "jpoa",
        tmp_path / "jpoa",
        ignore=shutil.ignore_patterns("*.pyc", "locale", "static", "templates", "data"),
    )
    return tmp_path


def test_the_apps_import_only_downwards():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("matrix/models.py", "jpoa.api.reads"),  # the domain reaching up to an interface
        ("accounts/access.py", "jpoa.rounds.models"),  # the base reaching into the domain
        ("plan/models.py", "jpoa.matrix.models"),  # a cycle between two domain apps
        ("lib/dates.py", "jpoa.core.models"),
    ],
)
def test_an_import_against_the_direction_breaks_the_contract(tmp_path, module, imported):
    code = copy_of_the_code(tmp_path)
    path = code / "jpoa" / module
    path.write_text(path.read_text() + f"\nimport {imported}  # against the direction\n")
    result = lint_imports(code)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and imported.rsplit(".", 1)[0] in result.stdout
