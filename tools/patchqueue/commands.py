"""The developer commands: materialize, refresh, export, check and fetch."""

from __future__ import annotations

import argparse
import datetime
import shutil
import tempfile
import textwrap
from pathlib import Path

from .checks import default_python, header_problems, layering_problems, prefix_problems
from .common import ORIGIN, PACKAGE, UPSTREAM_TAG, WORKTREE, PQError, log
from .gitrepo import git, require_git
from .overlay import overlay_differences, sync_overlay_in
from .pin import Project, fetch, sha256_of
from .tree import (
    check_dependencies,
    commit_all,
    dirty_paths,
    export,
    find_patch_commit,
    link_package,
    materialize,
    owners,
    queue_patches,
    subject_of,
    user_identity,
    worktree_base,
)


def cmd_materialize(project: Project, args: argparse.Namespace) -> int:
    """Materialize the fork: a developer tree at .pq/ (default) or a plain tree at --dest."""
    if args.dest:
        dest = Path(args.dest).resolve()
        if dest.exists():
            raise PQError(f"{dest} exists; materialize needs a new directory")
        applied = materialize(project, dest, queue=args.git, sdist=args.sdist, upto=args.upto)
        upto = f" (the first {len(applied)} patches, up to {applied[-1]})" if args.upto and applied else ""
        log(f"materialized {project.pin().fork_version} into {dest}{upto}")
        return 0
    if args.upto:
        raise PQError("--upto makes a plain tree: use it with --dest")
    tree = project.worktree
    if tree.exists():
        if not args.force:
            dirty = dirty_paths(tree)
            if dirty or queue_patches(tree) != {n: (project.patches / n).read_bytes() for n in project.series()}:
                raise PQError(
                    f"{tree} holds work that is not in patches/ ({len(dirty)} edited files): run "
                    "`python tools/pq.py refresh` first, or pass --force to discard it"
                )
            stale = overlay_differences(project, tree)
            if stale:
                raise PQError(
                    f"overlay/{stale[0]} differs from the file committed in {WORKTREE}/: export the tree "
                    "(`python tools/pq.py export`), or pass --force to rebuild it from overlay/"
                )
        shutil.rmtree(tree)
    materialize(project, tree, queue=True, sdist=args.sdist)
    link_package(project)
    pin = project.pin()
    log(
        f"materialized ultralytics-reid {pin.fork_version} ({len(project.series())} patches on {pin.version}) in {tree}"
    )
    log(f"./{PACKAGE} -> {WORKTREE}/{PACKAGE}; edit there, then `python tools/pq.py refresh`")
    return 0


DEP3_TEMPLATE = """{subject}

Description: {description}
Origin: {origin}
Forwarded: {forwarded}
Last-Update: {date}
"""


def cmd_refresh(project: Project, args: argparse.Namespace) -> int:
    """Fold edits in the developer tree into the patch that owns them (or a new patch), then export."""
    require_git()
    tree = project.worktree
    if not (tree / ".git").exists():
        raise PQError(f"no developer tree at {tree}: run `python tools/pq.py materialize` first")
    if worktree_base(tree) != project.pin().version:
        raise PQError(f"{tree} is based on {worktree_base(tree)}, the pin on {project.pin().version}: re-materialize")
    sync_overlay_in(project, tree)  # edits made in overlay/ (and new overlay files) join the tree's edits
    dirty = dirty_paths(tree)
    if args.paths:  # only these files (tree-relative, or relative to the checkout through ./ultralytics)
        wanted = {Path(p).as_posix().removeprefix("./") for p in args.paths}
        unknown = wanted - set(dirty)
        if unknown:
            raise PQError(f"no uncommitted edits in: {', '.join(sorted(unknown))}")
        dirty = sorted(wanted)
    if dirty and args.new:
        description = textwrap.fill(
            args.description or "TODO: what this patch does and why.", width=100, subsequent_indent=" "
        )
        today = datetime.datetime.now(datetime.timezone.utc)
        message = DEP3_TEMPLATE.format(
            subject=args.new,
            description=description,
            origin=ORIGIN,
            forwarded=args.forwarded,
            date=today.strftime("%Y-%m-%d"),
        )
        author, email = user_identity(project.root)
        now = today.strftime("%a, %d %b %Y %H:%M:%S +0000")
        commit_all(tree, message, author, email, now, dirty)
        log(f"new patch: {args.new}")
    elif dirty:
        if args.patch:
            target = find_patch_commit(tree, args.patch)
        else:
            found = owners(tree, dirty)
            candidates = {c[-1] for c in found.values() if c}
            orphans = [p for p, c in found.items() if not c]
            if orphans or len(candidates) != 1:
                detail = "\n".join(
                    f"  {p}: {', '.join(subject_of(tree, c) for c in cs) or 'no patch touches it'}"
                    for p, cs in found.items()
                )
                raise PQError(
                    "cannot tell which patch these edits belong to:\n"
                    f"{detail}\nname it with --patch NAME, or start a new patch with --new SUBJECT"
                )
            target = candidates.pop()
        git(tree, "add", "-A", "--", *dirty)
        subject = subject_of(tree, target)
        git(tree, "commit", "-q", "--no-verify", f"--fixup={target}")
        r = git(
            tree,
            "rebase",
            "-q",
            "-i",
            "--autosquash",
            "--autostash",
            "--committer-date-is-author-date",
            UPSTREAM_TAG,
            check=False,
            env={"GIT_SEQUENCE_EDITOR": "true", "GIT_EDITOR": "true"},
        )
        if r.returncode:
            git(tree, "rebase", "--abort", check=False)
            git(tree, "reset", "-q", "--soft", "HEAD~1")
            raise PQError(
                f"folding the edits into {subject!r} conflicts with a later patch; "
                f"your edits are kept uncommitted. Use --new, or --patch with a later patch.\n{r.stdout}{r.stderr}"
            )
        log(f"folded {len(dirty)} file(s) into {subject!r}")
    return export(project)


def cmd_export(project: Project, args: argparse.Namespace) -> int:
    """Rewrite patches/ from the commits of the developer tree (after git commit / rebase -i there)."""
    require_git()
    sync_overlay_in(project, project.worktree)  # an edit made in overlay/ is kept, as an uncommitted edit of the tree
    if dirty_paths(project.worktree):
        log("note: uncommitted edits in the tree are not exported; use `refresh` to fold them into a patch")
    return export(project)


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    """Check the series: it applies exactly to the verified pin, and patches/ is what refresh writes.

    Also: every header is complete DEP-3, no patch changes another's lines, the developer tree and overlay/ are
    exported; with --each, every prefix of the series materializes, imports and tracks.
    """
    require_git()
    problems = []
    pin = project.pin()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        materialize(project, tree, queue=True, sdist=args.sdist)
        log(f"ok: {len(project.series())} patches apply exactly to {pin.sdist} (sha256 verified)")
        log("ok: every overlay file is brought by exactly one patch ('Overlay:' field)")
        exported = queue_patches(tree)
        committed = {n: (project.patches / n).read_bytes() for n in project.series()}
        if exported != committed:
            for name in sorted(set(exported) | set(committed)):
                if exported.get(name) != committed.get(name):
                    problems.append(
                        f"patches/{name} differs from what refresh writes (run `python tools/pq.py check` "
                        "after `materialize --force` + `export` to normalize it)"
                    )
        else:
            log("ok: patches/ is byte-identical to what refresh/export regenerates")
        problems += header_problems(project)
        problems += layering_problems(tree)
        problems += check_dependencies(project, tree)
    if project.worktree.exists():
        dirty = dirty_paths(project.worktree)
        if dirty:
            problems.append(f"{WORKTREE}/ has edits not in any patch: {', '.join(dirty)} (run refresh)")
        elif worktree_base(project.worktree) != pin.version or queue_patches(project.worktree) != committed:
            problems.append(f"{WORKTREE}/ has commits not exported to patches/ or is stale (run export or materialize)")
        elif overlay_differences(project, project.worktree):
            stale = overlay_differences(project, project.worktree)
            problems.append(f"overlay/{stale[0]} differs from {WORKTREE}/ (run refresh, or materialize --force)")
        else:
            log(f"ok: the developer tree {WORKTREE}/ holds nothing that is not in patches/ and overlay/")
    if args.each:
        problems += prefix_problems(project, args.python or default_python(project), args.sdist)
    for p in problems:
        log(f"FAIL: {p}")
    return 1 if problems else 0


def cmd_fetch(project: Project, args: argparse.Namespace) -> int:
    """Download (or find in the cache) and verify an upstream sdist; print its path and sha256."""
    pin = project.pin()
    version = args.version or pin.version
    path = fetch(pin.name, version, pin.sha256 if version == pin.version else args.sha256)
    print(f"{path} sha256={sha256_of(path)}")
    return 0
