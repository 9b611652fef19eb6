"""tools/dev.py, the one-command set-up: a second run does not rebuild what did not change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dev
from conftest import ROOT


def test_the_wheel_digest_follows_its_inputs_only(tmp_path: Path, monkeypatch):
    """Any change to a file the wheel is built from changes the digest; caches and other files do not."""
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches/0001-a.patch").write_text("a\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    inputs = (tmp_path / "pyproject.toml", tmp_path / "patches")
    before = dev.digest(*inputs)
    (tmp_path / "patches/__pycache__").mkdir()
    (tmp_path / "patches/__pycache__/x.pyc").write_bytes(b"\0")
    (tmp_path / "notes.txt").write_text("not an input\n")
    assert dev.digest(*inputs) == before
    (tmp_path / "patches/0001-a.patch").write_text("b\n")
    assert dev.digest(*inputs) != before
    (tmp_path / "patches/0001-a.patch").write_text("a\n")
    (tmp_path / "patches/0002-b.patch").write_text("")
    assert dev.digest(*inputs) != before


def test_a_second_run_reuses_the_venv_and_the_installed_wheel():
    """With nothing changed since tools/dev.py built the installed wheel, it neither reinstalls nor rebuilds."""
    wheel_stamp = dev.stamp("wheel")
    if not (wheel_stamp.is_file() and wheel_stamp.read_text() == dev.digest(*(ROOT / p for p in dev.WHEEL_INPUTS))):
        pytest.skip("the installed wheel was not built by tools/dev.py from this checkout as it is now")
    log = dev.BUILD_LOG.stat().st_mtime if dev.BUILD_LOG.exists() else None
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools/dev.py"), "test", "--collect-only", "-q", "tests/test_lint.py"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pinned development dependencies are installed" in r.stdout
    assert "is installed and up to date" in r.stdout and "python -m build" not in r.stdout
    assert (dev.BUILD_LOG.stat().st_mtime if dev.BUILD_LOG.exists() else None) == log
