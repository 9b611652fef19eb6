"""Constants, the error type and logging shared by the patch-queue modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project checkout (tools/patchqueue/ is two levels down)
WORKTREE = ".pq"  # materialized developer tree (a git repository), relative to the project root
PACKAGE = "ultralytics"
FORK_MODULE = f"{PACKAGE}/_fork.py"  # generated from the pin; never edited by hand
UPSTREAM_TAG = "upstream"
ORIGIN = "vendor, ultralytics-reid"  # DEP-3 Origin of the patches this project writes
SKIP_FROM_SDIST = ("PKG-INFO", "setup.cfg")  # sdist-generated files that are no part of upstream's source
# Deterministic identity for the commits of the queue (format-patch output only carries the *author*).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ultralytics-reid pq",
    "GIT_AUTHOR_EMAIL": "pq@ultralytics-reid.invalid",
    "GIT_COMMITTER_NAME": "ultralytics-reid pq",
    "GIT_COMMITTER_EMAIL": "pq@ultralytics-reid.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}
FORMAT_PATCH_ARGS = ("format-patch", "--zero-commit", "--no-signature", "--no-numbered", "--abbrev=12", "--stat=72")


class PQError(Exception):
    """A failure the user can act on; printed without a traceback."""


def log(msg: str) -> None:
    """Progress and reports go to stderr; machine-readable results to stdout."""
    print(msg, file=sys.stderr, flush=True)
