"""The ``pq`` command line (``python tools/pq.py --help``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from . import __doc__ as DESCRIPTION
from .commands import cmd_check, cmd_export, cmd_fetch, cmd_materialize, cmd_refresh
from .common import ROOT, PQError, log
from .pin import Project
from .rebase import cmd_rebase


def parser() -> argparse.ArgumentParser:
    """Command-line interface."""
    p = argparse.ArgumentParser(
        prog="pq", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--root", type=Path, default=ROOT, help="project root (default: this checkout)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("materialize", help="pinned sdist + series + overlay -> tree (default: developer tree .pq/)")
    s.add_argument("--dest", help="write a plain tree here instead of the developer tree")
    s.add_argument("--git", action="store_true", help="with --dest: make it a git repository, one commit per patch")
    s.add_argument("--force", action="store_true", help="discard edits in the developer tree that are not exported")
    s.add_argument("--sdist", type=Path, help="use this upstream sdist file (sha256 still checked)")
    s.add_argument("--upto", type=int, metavar="N", help="with --dest: only the first N patches (bisect a regression)")
    s.set_defaults(func=cmd_materialize)

    s = sub.add_parser("refresh", help="fold edits in ultralytics/ into their patch (or --new one); rewrite patches/")
    s.add_argument("--patch", help="fold the edits into this patch (file name, number or subject substring)")
    s.add_argument("--new", metavar="SUBJECT", help="put the edits into a new patch at the end of the series")
    s.add_argument("-d", "--description", help="with --new: the DEP-3 Description (what and why)")
    s.add_argument(
        "--forwarded",
        default="no (a fork change, not offered upstream)",
        help="with --new: the DEP-3 Forwarded value: an upstream URL, or no/not-needed/not-yet (reason)",
    )
    s.add_argument("paths", nargs="*", help="only fold these edited files (default: every edited file)")
    s.set_defaults(func=cmd_refresh)

    s = sub.add_parser("export", help="rewrite patches/ from the developer tree's commits (after git rebase -i)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser(
        "check", help="series applies exactly to the pin, headers complete, patches layered; --each: every prefix runs"
    )
    s.add_argument("--sdist", type=Path, help="use this upstream sdist file (sha256 still checked)")
    s.add_argument(
        "--each",
        action="store_true",
        help="also materialize every prefix of the series and smoke-test it (import, track real frames)",
    )
    s.add_argument(
        "--python", type=Path, help="with --each: interpreter with torch (default: the .venv of tools/dev.py)"
    )
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("rebase", help="3-way rebase of the series onto another upstream release, per-patch report")
    s.add_argument("version", help="upstream version to rebase onto, e.g. 8.4.191")
    s.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    s.add_argument("--sha256", help="require this sha256 for the new sdist")
    s.add_argument("--sdist", type=Path, help="use this file as the new upstream sdist")
    s.add_argument("--old-sdist", type=Path, help="use this file as the currently pinned sdist")
    s.set_defaults(func=cmd_rebase)

    s = sub.add_parser("fetch", help="download and verify an upstream sdist into the cache; print path and sha256")
    s.add_argument("version", nargs="?", help="upstream version (default: the pin)")
    s.add_argument("--sha256", help="require this sha256 (the pin's is used for the pinned version)")
    s.set_defaults(func=cmd_fetch)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parser().parse_args(argv)
    try:
        return args.func(Project(args.root.resolve()), args)
    except PQError as e:
        log(f"pq: error: {e}")
        return 2
