"""The import direction of docs/architecture.md holds, and the check would catch a breach.

`make lint` runs import-linter over the tree; these tests run the same contract (read from
pyproject.toml) so `make test` fails too, and prove the contract is not vacuous: a copy of
the package with one upward import added is reported broken.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_layers_contract_is_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import downwards only KEPT" in result.stdout
    assert "No import cycles inside an app KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "breach"),
    [
        # A lower app reaching up: accounts (scope) importing places.
        ("accounts/scope.py", "from xinfeng.places.models import Site", "xinfeng.accounts"),
        # Hidden in a function body, as the old code hid cycles.
        (
            "regions/models.py",
            "def _leak():\n    from xinfeng.accounts.models import User  # noqa\n",
            "xinfeng.regions",
        ),
        # core must import no domain app.
        ("core/errors.py", "import xinfeng.orders.models", "xinfeng.core"),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, line, breach):
    shutil.copytree(
        ROOT / "xinfeng",
        tmp_path / "xinfeng",
        ignore=shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "migrations"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "xinfeng" / module
    target.write_text(target.read_text() + "\n\n" + line + "\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert f"{breach} is not allowed to import" in result.stdout


def test_an_import_cycle_inside_an_app_breaks_the_contract(tmp_path):
    shutil.copytree(
        ROOT / "xinfeng",
        tmp_path / "xinfeng",
        ignore=shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "migrations"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    # places.selectors already imports places.models; close the loop inside a function.
    target = tmp_path / "xinfeng" / "places" / "models.py"
    target.write_text(
        target.read_text() + "\n\ndef _loop():\n    from xinfeng.places import selectors  # noqa\n"
    )
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "No import cycles inside an app BROKEN" in result.stdout
    assert "xinfeng.places" in result.stdout
