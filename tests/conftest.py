"""Shared fixtures. The suite tests the *installed* ultralytics-reid wheel, never a source tree that shadows it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # the patch-queue tool is repository tooling, not part of the wheel

import pq  # noqa: E402

PROJECT_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md")
PROJECT_DIRS = ("tools", "patches", "overlay")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run against anything but the installed wheel."""
    import ultralytics

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    where = Path(ultralytics.__file__).resolve()
    if site not in where.parents:
        pytest.exit(
            f"ultralytics is imported from {where}, not from the installed wheel in {site}. Run the suite with "
            "`python3 tools/dev.py test` (or the venv's `pytest` executable, not `python -m pytest` from the root).",
            returncode=4,
        )


@pytest.fixture(scope="session")
def pin() -> pq.Pin:
    """The upstream pin of this checkout."""
    return pq.Project(ROOT).pin()


@pytest.fixture(scope="session")
def upstream_sdist(pin: pq.Pin) -> Path:
    """The pinned upstream sdist, from the cache or downloaded, sha256-verified."""
    return pq.fetch(pin.name, pin.version, pin.sha256)


@pytest.fixture
def project(tmp_path: Path) -> pq.Project:
    """A scratch copy of this project's own files (pin, series, overlay, tools), safe to modify."""
    dest = tmp_path / "project"
    dest.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return pq.Project(dest)


def run_pq(project: pq.Project, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the patch-queue CLI on a project copy, as a developer would."""
    r = subprocess.run(
        [sys.executable, str(project.root / "tools/pq.py"), *args], cwd=project.root, capture_output=True, text=True
    )
    if check and r.returncode:
        raise AssertionError(f"pq {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def snapshot(project: pq.Project) -> dict[str, bytes]:
    """Contents of every file of the project that a pq command may change."""
    files = [*project.patches.iterdir(), project.root / "CHANGELOG.md"]
    return {p.name: p.read_bytes() for p in files if p.is_file()}
