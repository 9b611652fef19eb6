"""Upstream Ultralytics' own offline tracker tests, from the pinned sdist, run against the installed fork."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pq


def test_upstream_tracker_tests_pass(upstream_sdist: Path, tmp_path: Path):
    """`tests/test_python.py -k "track or reid"` of the pinned sdist: no failure (plain 8.4.190 offline: 9 pass)."""
    pq.extract(upstream_sdist, tmp_path)  # tests/ and upstream's source; the source is removed so it cannot shadow
    for name in ("ultralytics", "pyproject.toml"):
        path = tmp_path / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_python.py",
            "-k",
            "track or reid",
            "-p",
            "no:cacheprovider",
            "-o",
            "markers=slow",
            "-q",
            "--no-header",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    summary = r.stdout.strip().splitlines()[-1]
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert counts.get("failed", 0) == 0 and counts.get("error", 0) == 0 and counts.get("errors", 0) == 0
    assert counts.get("passed", 0) >= 9, summary
