"""The developer tree as a git repository with one commit per patch: materialize, export, and the queue's helpers."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .apply import apply_patch
from .common import FORK_MODULE, FORMAT_PATCH_ARGS, PACKAGE, UPSTREAM_TAG, WORKTREE, PQError, log
from .dep3 import with_overlay
from .gitrepo import git, require_git, tree_files
from .overlay import overlay_plan, place_overlay, sync_overlay_out
from .pin import Project, extract, fetch, fork_module


def patch_metadata(patch: Path) -> tuple[dict[str, str], str]:
    """Author, email, date and the full commit message of a format-patch file, as ``git am`` would take them."""
    with tempfile.TemporaryDirectory() as tmp:
        msg, body = Path(tmp, "msg"), Path(tmp, "patch")
        r = git(Path(tmp), "mailinfo", str(msg), str(body), input=patch.read_bytes())
        info = dict(line.split(": ", 1) for line in r.stdout.splitlines() if ": " in line)
        text = msg.read_text(encoding="utf-8")
    message = info.get("Subject", patch.stem) + ("\n\n" + text if text.strip() else "\n")
    return info, message


def commit_all(
    repo: Path, message: str, author: str, email: str, date: str, paths: Sequence[str] | None = None
) -> None:
    """Commit the changes in ``repo`` (only ``paths`` if given) as the given author; committer date = author date."""
    git(repo, "add", "-A", "--", *(paths or ["."]))
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(repo, "commit", "-q", "--allow-empty", "--no-verify", "-F", "-", env=env, input=message.encode())


def init_repo(repo: Path, version: str) -> None:
    """Turn an unpacked upstream tree into a git repository whose first commit, tagged ``upstream``, is upstream."""
    git(repo, "init", "-q", "-b", "patch-queue")
    git(repo, "config", "core.autocrlf", "false")
    commit_all(repo, f"Upstream Ultralytics {version}\n", "Ultralytics", "hello@ultralytics.com", "@0 +0000")
    git(repo, "tag", "-f", UPSTREAM_TAG)


def materialize(
    project: Project, dest: Path, *, queue: bool, sdist: Path | None = None, upto: int | None = None
) -> list[str]:
    """Build the fork's tree in ``dest`` (which must not exist) from the pinned sdist, the series and the overlay.

    Each patch is applied, then the overlay files it brings are placed, so every prefix of the series is a tree.

    Args:
        project: The checkout whose pin, series and overlay are used.
        dest: Directory to create.
        queue: Also make ``dest`` a git repository with one commit per patch (needs git); the overlay files are
            committed with the patch that brings them, so ``git log``/``git grep`` in the tree see them.
        sdist: Use this upstream sdist instead of the cache/download (its sha256 is still checked).
        upto: Only the first ``upto`` patches (and their overlay files); all by default.

    Returns:
        The names of the patches applied.
    """
    pin = project.pin()
    series = project.series()[:upto]
    plan = overlay_plan(project)
    tarball = fetch(pin.name, pin.version, pin.sha256, sdist)
    if queue:
        require_git()
    dest.mkdir(parents=True)
    try:
        extract(tarball, dest)
        if queue:
            init_repo(dest, pin.version)
            (dest / ".git/info/exclude").write_text(f"/{FORK_MODULE}\n", encoding="utf-8")  # generated, not queued
        for name in series:
            patch = project.patches / name
            apply_patch(dest, patch.read_bytes(), name)
            place_overlay(project, dest, plan[name])
            if queue:
                info, message = patch_metadata(patch)
                commit_all(dest, message, info.get("Author", ""), info.get("Email", ""), info.get("Date", ""))
        (dest / FORK_MODULE).write_text(fork_module(pin), encoding="utf-8")
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # never leave a half-applied tree behind
        raise
    return series


def link_package(project: Project) -> None:
    """Point the checkout's top-level ``ultralytics`` at the materialized developer tree."""
    link = project.root / PACKAGE
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        raise PQError(f"{link} exists and is not the symlink pq manages; move it away first")
    link.symlink_to(Path(WORKTREE) / PACKAGE, target_is_directory=True)


def dirty_paths(tree: Path) -> list[str]:
    """Paths with uncommitted changes in the developer tree (overlay and generated files excluded)."""
    out = git(tree, "status", "--porcelain", "--untracked-files=all", "-z").stdout
    return sorted({entry[3:] for entry in out.split("\0") if entry})


def queue_patches(tree: Path) -> dict[str, bytes]:
    """The patch files that ``export`` would write for the developer tree: {file name: content}.

    A patch holds the commit's changes to upstream files; the files upstream does not have (the overlay files) are
    left out of the diff and named in the patch's ``Overlay`` field instead. Each overlay file belongs to one patch.
    """
    commits = git(tree, "rev-list", "--reverse", f"{UPSTREAM_TAG}..HEAD").stdout.split()
    upstream = tree_files(tree, UPSTREAM_TAG)
    owner: dict[str, str] = {}
    patches: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, sha in enumerate(commits, 1):
            touched = git(tree, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", sha).stdout.split("\0")
            overlay = sorted(p for p in touched if p and p not in upstream)
            for path in overlay:
                if path in owner:
                    raise PQError(
                        f"{path} is changed by two patches ({subject_of(tree, owner[path])!r} and "
                        f"{subject_of(tree, sha)!r}): an overlay file belongs to one patch, so fold the change into "
                        "the first (refresh --patch)"
                    )
                owner[path] = sha
            out = Path(tmp, str(k))
            excluded = [f":(exclude){p}" for p in overlay]
            args = (*FORMAT_PATCH_ARGS, f"--start-number={k}", "-o", str(out), f"{sha}^..{sha}")
            git(tree, *args, "--", ".", *excluded)
            files = list(out.glob("*.patch"))
            if not files:  # overlay files only: the header, and no diff
                git(tree, *args)
                files = list(out.glob("*.patch"))
                text = files[0].read_text(encoding="utf-8").split("\n---\n", 1)[0]
                files[0].write_text(text + "\n---\n no upstream file changes; this patch brings overlay files\n")
            text = files[0].read_text(encoding="utf-8")
            head, rest = text.split("\n---\n", 1)
            mail, message = head.split("\n\n", 1)
            at = tree_files(tree, sha)
            present = [p for p in overlay if p in at]
            text = f"{mail}\n\n{with_overlay(message, present)}\n---\n{rest}"
            patches[files[0].name] = text.encode("utf-8")
    return patches


def write_series(project: Project, patches: dict[str, bytes]) -> list[str]:
    """Replace the patch files and ``series`` with ``patches``; returns the names that changed."""
    changed = []
    old = set(project.series()) if (project.patches / "series").exists() else set()
    for name in sorted(old - set(patches)):
        (project.patches / name).unlink(missing_ok=True)
        changed.append(name)
    for name, content in patches.items():
        path = project.patches / name
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            changed.append(name)
    series = "".join(f"{name}\n" for name in patches)
    (project.patches / "series").write_text(series, encoding="utf-8")
    return changed


def worktree_base(tree: Path) -> str:
    """Upstream version the developer tree was materialized from."""
    subject = git(tree, "log", "-1", "--format=%s", UPSTREAM_TAG).stdout.strip()
    return subject.rsplit(" ", 1)[-1]


def owners(tree: Path, paths: Sequence[str]) -> dict[str, list[str]]:
    """For each path, the queue commits (oldest first) that touch it."""
    result = {}
    for path in paths:
        out = git(tree, "log", "--reverse", "--format=%H", f"{UPSTREAM_TAG}..HEAD", "--", path).stdout.split()
        result[path] = out
    return result


def subject_of(tree: Path, rev: str) -> str:
    """First line of a commit message."""
    return git(tree, "log", "-1", "--format=%s", rev).stdout.strip()


def find_patch_commit(tree: Path, name: str) -> str:
    """The queue commit whose exported patch file is ``name`` (a file name, its number, or a subject substring)."""
    commits = git(tree, "rev-list", "--reverse", f"{UPSTREAM_TAG}..HEAD").stdout.split()
    names = list(queue_patches(tree))
    for sha, file in zip(commits, names):
        if name in (file, file.removesuffix(".patch"), file.split("-", 1)[0]):
            return sha
    hits = [sha for sha in commits if name.lower() in subject_of(tree, sha).lower()]
    if len(hits) == 1:
        return hits[0]
    raise PQError(f"no single patch matches {name!r}; patches: {', '.join(names) or '(none)'}")


def user_identity(root: Path) -> tuple[str, str]:
    """The developer's git identity (user config, not isolated), for the author of a new patch."""

    def get(key: str) -> str:
        r = subprocess.run(["git", "-C", str(root), "config", key], capture_output=True, text=True)
        return r.stdout.strip()

    return get("user.name") or "ultralytics-reid", get("user.email") or "dev@ultralytics-reid.invalid"


def export(project: Project) -> int:
    """Rewrite patches/ and series from the developer tree's queue, and overlay/ from its committed overlay files."""
    changed = write_series(project, queue_patches(project.worktree))
    for name in changed:
        log(f"  wrote patches/{name}" if (project.patches / name).exists() else f"  removed patches/{name}")
    for rel in sync_overlay_out(project, project.worktree):
        log(f"  wrote overlay/{rel}")
    log(f"patches/ is up to date ({len(project.series())} patches)" if not changed else f"{len(changed)} changed")
    return 0


def check_dependencies(project: Project, tree: Path) -> list[str]:
    """Every runtime dependency upstream declares must be declared by ultralytics-reid too."""
    names = re.compile(r'^\s*"([A-Za-z0-9_.\-]+)')

    def deps(pyproject: Path) -> set[str]:
        text = pyproject.read_text(encoding="utf-8")
        block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M)
        found = (
            {m[1].lower().replace("_", "-") for m in map(names.match, block[1].splitlines()) if m} if block else set()
        )
        return found

    missing = deps(tree / "pyproject.toml") - deps(project.root / "pyproject.toml")
    if missing:
        return [
            f"upstream {project.pin().version} depends on {', '.join(sorted(missing))}; declare it in pyproject.toml"
        ]
    log("ok: pyproject.toml declares every runtime dependency upstream declares")
    return []
