"""Checks of the series as a reviewable delta: complete headers, no patch rewrites another's lines, each prefix runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import UPSTREAM_TAG, PQError, log
from .dep3 import message_of, problems
from .gitrepo import git
from .pin import Project
from .tree import materialize, subject_of

SMOKE = Path(__file__).with_name("smoke.py")


def header_problems(project: Project) -> list[str]:
    """Every patch has a complete DEP-3 header (see dep3.py)."""
    found = []
    for name in project.series():
        found += problems(name, message_of((project.patches / name).read_text(encoding="utf-8")))
    if not found:
        log(f"ok: all {len(project.series())} patch headers are complete DEP-3 headers")
    return found


def removed_ranges(tree: Path, sha: str) -> list[tuple[str, int, int]]:
    """(file, first line, count) of the lines a commit removes or changes, numbered in its parent."""
    diff = git(tree, "diff", "-U0", "--no-color", "--no-renames", f"{sha}^", sha).stdout
    ranges, path = [], None
    for line in diff.split("\n"):
        if line.startswith("--- "):
            path = None if line == "--- /dev/null" else line[6:]
        m = re.match(r"@@ -(\d+)(?:,(\d+))? ", line)
        if m and path and (count := 1 if m[2] is None else int(m[2])):
            ranges.append((path, int(m[1]), count))
    return ranges


def layering_problems(tree: Path) -> list[str]:
    """No patch changes or removes lines that another patch added: every line a patch touches is upstream's.

    Checked with ``git blame`` in a queue repository: the lines each commit removes must come from the upstream commit.
    """
    base = git(tree, "rev-parse", UPSTREAM_TAG).stdout.strip()
    found: list[str] = []
    commits = git(tree, "rev-list", "--reverse", f"{UPSTREAM_TAG}..HEAD").stdout.split()
    for sha in commits:
        owners: dict[str, set[str]] = {}
        for path, first, count in removed_ranges(tree, sha):
            blame = git(tree, "blame", "--porcelain", "-L", f"{first},+{count}", f"{sha}^", "--", path).stdout
            owners.setdefault(path, set()).update(m[1] for m in re.finditer(r"^([0-9a-f]{40}) \d+ \d+", blame, re.M))
        for path, shas in owners.items():
            for owner in sorted(shas - {base}):
                found.append(
                    f"{subject_of(tree, sha)!r} changes lines of {path} that {subject_of(tree, owner)!r} added: "
                    "fold the change into that patch, so each patch is in its final form"
                )
    if not found:
        log(f"ok: no patch changes lines another patch added (git blame of every changed line, {len(commits)} patches)")
    return found


def default_python(project: Project) -> Path:
    """The interpreter for the prefix smoke tests: the development venv's (it has torch), else this one."""
    venv = Path(os.environ.get("ULTRALYTICS_REID_VENV", project.root / ".venv"))
    return venv / "bin" / "python" if (venv / "bin" / "python").exists() else Path(sys.executable)


def prefix_problems(project: Project, python: Path, sdist: Path | None = None) -> list[str]:
    """Materialize every prefix of the series and smoke-test it: import, then track real frames with every tracker."""
    series = project.series()
    found = []
    log(f"checking each of the {len(series)} prefixes of the series with {python} ({SMOKE.name})")
    for k, name in enumerate(series, 1):
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "tree"
            try:
                materialize(project, tree, queue=False, sdist=sdist, upto=k)
            except PQError as e:
                found.append(f"prefix {k} ({name}) does not materialize: {e}")
                continue
            env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
            r = subprocess.run(
                [str(python), str(SMOKE), str(tree)], cwd=tmp, env=env, capture_output=True, text=True, timeout=900
            )
        took = time.perf_counter() - start
        if r.returncode:
            tail = "\n".join(f"    | {line}" for line in (r.stdout + r.stderr).strip().split("\n")[-15:])
            found.append(f"prefix {k} ({name}) fails its smoke test:\n{tail}")
            log(f"  {k:>2} {name}: FAIL ({took:.0f} s)")
        else:
            log(f"  {k:>2} {name}: ok ({took:.0f} s; {r.stdout.strip().splitlines()[-1]})")
    if not found:
        log(f"ok: every prefix of the series materializes, imports and tracks ({len(series)} prefixes)")
    return found
