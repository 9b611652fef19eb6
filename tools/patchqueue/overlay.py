"""Overlay files (wholly new files of the fork): which patch brings each, and keeping overlay/ and the tree in step.

A patch names the overlay files it brings in its ``Overlay`` field; materialize places them right after applying it, so
every prefix of the series is a complete tree, and the developer tree commits them with that patch (``git log`` and
``git grep`` there see them). An overlay file is whole: it arrives with one patch, in its final form.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from .common import WORKTREE, PQError, log
from .dep3 import message_of, overlay_paths
from .gitrepo import blob_id, fork_files
from .pin import Project


def overlay_plan(project: Project) -> dict[str, list[str]]:
    """{patch: the overlay files it brings}, from each patch's ``Overlay`` field; every overlay file has one owner."""
    files = set(project.overlay_files())
    plan: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for name in project.series():
        paths = overlay_paths(message_of((project.patches / name).read_text(encoding="utf-8")))
        for path in paths:
            if path not in files:
                raise PQError(
                    f"{name} brings overlay file {path} ('Overlay:' field), but overlay/{path} does not exist"
                )
            if path in owner:
                raise PQError(f"overlay/{path} is brought by two patches, {owner[path]} and {name}; keep one")
            owner[path] = name
        plan[name] = paths
    orphans = sorted(files - set(owner))
    if orphans:
        raise PQError(
            f"overlay/{orphans[0]} is brought by no patch: name it in the 'Overlay:' field of the patch that needs it "
            "(refresh writes the field for files committed with a patch in the developer tree)"
        )
    return plan


def place_overlay(project: Project, dest: Path, paths: Sequence[str]) -> None:
    """Copy overlay files into a tree; they must be new files."""
    for rel in paths:
        target = dest / rel
        if target.exists() or target.is_symlink():
            raise PQError(
                f"overlay/{rel} would replace upstream's {rel}: overlay files must be new. Change upstream files "
                "with a patch instead (python tools/pq.py refresh)."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project.overlay / rel, target)


def sync_overlay_in(project: Project, tree: Path) -> list[str]:
    """Bring edits made in ``overlay/`` (and new overlay files) into the developer tree; returns the paths taken.

    Raises:
        PQError: A file was edited both in ``overlay/`` and in the tree, or the tree still links the overlay.
    """
    head = fork_files(tree)
    taken = []
    for rel in project.overlay_files():
        src, dst = project.overlay / rel, tree / rel
        if dst.is_symlink():
            raise PQError(
                f"{WORKTREE}/ links overlay files instead of tracking them (made by an older pq): save your edits "
                "and run `python tools/pq.py materialize --force`"
            )
        if dst.exists() and blob_id(dst.read_bytes()) == blob_id(src.read_bytes()):
            continue
        if dst.exists() and head.get(rel) != blob_id(dst.read_bytes()):  # edited in the tree
            if head.get(rel) == blob_id(src.read_bytes()):
                continue  # overlay/ is the committed version: the tree's edit wins and is exported
            raise PQError(f"overlay/{rel} and {WORKTREE}/{rel} were both edited; keep one of them and refresh")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        taken.append(rel)
        log(f"  took overlay/{rel} into {WORKTREE}/")
    return taken


def overlay_differences(project: Project, tree: Path) -> list[str]:
    """Overlay files whose content in ``overlay/`` is not the one committed in the developer tree."""
    head = fork_files(tree)
    files = set(project.overlay_files()) | set(head)
    return sorted(
        rel
        for rel in files
        if not (project.overlay / rel).is_file() or head.get(rel) != blob_id((project.overlay / rel).read_bytes())
    )


def sync_overlay_out(project: Project, tree: Path) -> list[str]:
    """Write the committed overlay files of the developer tree to ``overlay/``; returns the paths written."""
    written = []
    for rel, blob in fork_files(tree).items():
        src, dst = tree / rel, project.overlay / rel
        if not src.is_file() or blob_id(src.read_bytes()) != blob:
            continue  # uncommitted edits stay in the tree until refresh
        if dst.is_file() and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        written.append(rel)
    return written
