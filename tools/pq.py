#!/usr/bin/env python3
"""``pq``, the patch-queue tool of ultralytics-reid (``python tools/pq.py --help``); code in ``tools/patchqueue/``.

This file is the command and the import name the build backend and the tests use (``import pq``).
"""

from __future__ import annotations

import sys

from patchqueue.apply import FileDiff, Hunk, apply_patch, parse_patch
from patchqueue.cli import main, parser
from patchqueue.common import FORK_MODULE, PACKAGE, ROOT, UPSTREAM_TAG, WORKTREE, PQError
from patchqueue.pin import Pin, Project, cache_dir, extract, fetch, fork_module, sha256_of, verify
from patchqueue.tree import materialize, queue_patches

__all__ = (
    "FORK_MODULE",
    "PACKAGE",
    "ROOT",
    "UPSTREAM_TAG",
    "WORKTREE",
    "FileDiff",
    "Hunk",
    "PQError",
    "Pin",
    "Project",
    "apply_patch",
    "cache_dir",
    "extract",
    "fetch",
    "fork_module",
    "main",
    "materialize",
    "parse_patch",
    "parser",
    "queue_patches",
    "sha256_of",
    "verify",
)

if __name__ == "__main__":
    sys.exit(main())
