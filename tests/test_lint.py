"""Style: our own code follows the project's ruff config; patched upstream files stay clean under upstream's."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import pq
from conftest import ROOT

RUFF = shutil.which("ruff", path=sysconfig.get_paths()["scripts"]) or shutil.which("ruff")
pytestmark = pytest.mark.skipif(RUFF is None, reason="ruff is not installed (requirements/dev.txt pins it)")


def ruff(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run ruff."""
    return subprocess.run([RUFF, *map(str, args)], cwd=cwd, capture_output=True, text=True)


def test_own_code_is_ruff_clean():
    """tools/, tests/ and overlay/ pass `ruff check` and `ruff format --check` with pyproject.toml's settings."""
    for args in (("check",), ("format", "--check")):
        r = ruff(*args, "tools", "tests", "overlay", cwd=ROOT)
        assert r.returncode == 0, r.stdout + r.stderr


def test_patched_upstream_files_are_clean_under_upstreams_config(tmp_path: Path, upstream_sdist: Path):
    """Every upstream file a patch touches passes ruff check/format with upstream's own pyproject settings."""
    project = pq.Project(ROOT)
    tree = tmp_path / "tree"
    pq.materialize(project, tree, queue=False, sdist=upstream_sdist)
    touched = sorted(
        {d.path for name in project.series() for d in pq.parse_patch((project.patches / name).read_bytes(), name)}
    )
    py = [p for p in touched if p.endswith(".py")]
    assert py
    for args in (("check",), ("format", "--check")):
        r = ruff(*args, "--config", tree / "pyproject.toml", *py, cwd=tree)
        assert r.returncode == 0, r.stdout + r.stderr


def test_own_code_runs_on_the_oldest_python_the_package_declares():
    """`requires-python` is what our code needs: every file of tools/, tests/ and overlay/ parses as that Python.

    (The build backend runs tools/pq.py, so an older Python would fail while building, not only at run time.)
    """
    import ast
    import re

    declared = re.search(r'requires-python = ">=3\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert declared, "pyproject.toml declares requires-python as '>=3.N'"
    minor = int(declared[1])
    assert minor >= 9, "tools/pq.py and the tracker config use str.removeprefix (Python 3.9)"
    for path in [p for d in ("tools", "tests", "overlay") for p in (ROOT / d).rglob("*.py")]:
        ast.parse(path.read_text(), str(path), feature_version=(3, minor))
