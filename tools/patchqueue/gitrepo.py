"""Git helpers of the patch queue, isolated from the user's and the system's git configuration."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from .common import GIT_ENV, UPSTREAM_TAG, PQError


def git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True, input: bytes | None = None):
    """Run git in ``repo`` isolated from user and system config; returns the CompletedProcess (text output)."""
    r = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        input=input,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    r.stdout, r.stderr = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    if check and r.returncode:
        raise PQError(f"git {' '.join(args)} failed in {repo}:\n{(r.stderr or r.stdout).strip()}")
    return r


def require_git() -> None:
    """Fail clearly where git is missing."""
    if shutil.which("git") is None:
        raise PQError("this command needs git on PATH (building a wheel does not)")


def blob_id(data: bytes) -> str:
    """The git blob id of some content (what ``git hash-object`` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def tree_files(tree: Path, rev: str) -> dict[str, str]:
    """{path: blob id} of the files of a commit."""
    out = git(tree, "ls-tree", "-r", "-z", rev).stdout
    entries = (e.split("\t", 1) for e in out.split("\0") if e)
    return {path: meta.split()[2] for meta, path in entries}


def fork_files(tree: Path, rev: str = "HEAD") -> dict[str, str]:
    """{path: blob id} of the files of a commit that upstream does not have: the overlay files committed so far."""
    upstream = tree_files(tree, UPSTREAM_TAG)
    return {p: b for p, b in tree_files(tree, rev).items() if p not in upstream}
