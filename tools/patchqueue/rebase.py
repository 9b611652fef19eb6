"""Rebase the series onto another upstream release with git's 3-way merge, with a per-patch report."""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import tempfile
from pathlib import Path

from .common import FORK_MODULE, UPSTREAM_TAG, WORKTREE, PQError, log
from .gitrepo import git, require_git
from .pin import Pin, Project, extract, fetch, sha256_of
from .tree import commit_all, dirty_paths, materialize, queue_patches, write_series


def hunk_bodies(patch: str) -> list[tuple[str, list[str]]]:
    """(file, hunk) pairs of a patch as (header, body lines) without ``index`` lines, for comparing two versions."""
    out, path = [], ""
    header, body = "", []
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            path = line.split(" b/", 1)[-1]
        elif line.startswith("@@"):
            if header:
                out.append((header, body))
            header, body = f"{path} {line}", []
        elif header and line[:1] in (" ", "-", "+", "\\"):
            body.append(line)
    if header:
        out.append((header, body))
    return out


def compare(old: str, new: str) -> str:
    """How a rebased patch relates to the original: applied, applied with offset, or merged (context changed)."""
    a, b = hunk_bodies(old), hunk_bodies(new)
    if [x[1] for x in a] != [x[1] for x in b]:
        return "applied with 3-way merge (context or content changed)"
    if [x[0] for x in a] != [x[0] for x in b]:
        shift = []
        for (ha, _), (hb, _) in zip(a, b):
            oa = int(re.search(r"-(\d+)", ha.split("@@")[1])[1])
            ob = int(re.search(r"-(\d+)", hb.split("@@")[1])[1])
            if oa != ob:
                shift.append(f"{ob - oa:+d}")
        return f"applied with offset ({', '.join(sorted(set(shift), key=int))} lines)"
    return "applied"


def cmd_rebase(project: Project, args: argparse.Namespace) -> int:
    """Rebase the series onto another upstream release with a 3-way merge and report each patch."""
    require_git()
    pin = project.pin()
    if project.worktree.exists() and not args.dry_run:
        if dirty_paths(project.worktree):
            raise PQError(f"{WORKTREE}/ has edits not in patches/: run `python tools/pq.py refresh` before rebasing")
    new_sdist = fetch(pin.name, args.version, args.sha256, args.sdist)
    new_sha = sha256_of(new_sdist)
    series = project.series()
    log(f"rebasing {len(series)} patches from {pin.name} {pin.version} onto {args.version} (sha256 {new_sha})")
    report: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "tree"
        materialize(project, repo, queue=True, sdist=args.old_sdist)
        (repo / FORK_MODULE).unlink()  # generated from the pin; the overlay files travel with their commits
        commits = git(repo, "rev-list", "--reverse", f"{UPSTREAM_TAG}..HEAD").stdout.split()
        # The new upstream as a fresh root commit, then cherry-pick (3-way merge) each patch onto it.
        git(repo, "checkout", "-q", "--orphan", "rebased")
        git(repo, "rm", "-rfq", "--cached", ".")
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        extract(new_sdist, repo)
        commit_all(repo, f"Upstream Ultralytics {args.version}\n", "Ultralytics", "hello@ultralytics.com", "@0 +0000")
        new_base = git(repo, "rev-parse", "HEAD").stdout.strip()
        kept: list[str] = []
        for name, sha in zip(series, commits):
            r = git(repo, "cherry-pick", "--no-commit", sha, check=False)
            if r.returncode:
                conflicts = git(repo, "diff", "--name-only", "--diff-filter=U").stdout.split()
                detail = git(repo, "diff", check=False).stdout
                git(repo, "reset", "-q", "--hard", "HEAD")
                report.append((name, f"CONFLICT in {', '.join(conflicts) or 'the tree'}", indent(detail)))
                continue
            if not git(repo, "diff", "--cached", "--name-only").stdout.strip():
                git(repo, "reset", "-q", "--hard", "HEAD")
                report.append((name, "already upstream: dropped from the series", ""))
                continue
            git(repo, "commit", "-q", "--no-verify", "-C", sha, env={"GIT_COMMITTER_DATE": "@0 +0000"})
            kept.append(name)
            overlay = [f":(exclude){p}" for p in project.overlay_files()]  # in the commit, not in the patch
            new_patch = git(repo, "show", "--format=", "--abbrev=12", "HEAD", "--", ".", *overlay).stdout
            old_patch = (project.patches / name).read_text(encoding="utf-8")
            report.append((name, compare(old_patch, new_patch), ""))
        width = max([len(n) for n, _, _ in report] + [10])
        log(f"\n{'patch':<{width}}  status")
        for name, status, detail in report:
            log(f"{name:<{width}}  {status}")
            if detail:
                log(detail)
        if any(status.startswith("CONFLICT") for _, status, _ in report):
            log(f"\nrebase onto {args.version} stopped: resolve the conflicts above (nothing was changed).")
            return 1
        if args.dry_run:
            log("\ndry run: patches/, the pin and CHANGELOG.md are unchanged")
            return 0
        git(repo, "tag", "-f", UPSTREAM_TAG, new_base)
        patches = queue_patches(repo)
    write_series(project, patches)
    new_pin = Pin(pin.name, args.version, new_sha, 1)
    new_pin.dump(project.pin_file)
    add_changelog_entry(project, pin, new_pin, report)
    log(f"\nrebased onto {pin.name} {args.version}: ultralytics-reid is now {new_pin.fork_version}")
    if project.worktree.exists():
        log("the developer tree is stale: run `python tools/pq.py materialize --force`")
    return 0


def indent(text: str, prefix: str = "    | ") -> str:
    """Indent a block of text for a report."""
    return "\n".join(prefix + line for line in text.rstrip("\n").split("\n"))


def add_changelog_entry(project: Project, old: Pin, new: Pin, report: list[tuple[str, str, str]]) -> None:
    """Add a release section for the rebased series to CHANGELOG.md (Keep a Changelog), below [Unreleased]."""
    path = project.root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Changelog\n\n## [Unreleased]\n"
    today = datetime.date.today().isoformat()
    lines = [
        f"## [{new.fork_version}] - {today}",
        "",
        f"Upstream base: Ultralytics {new.version} (sdist sha256 `{new.sha256}`).",
        "",
        "### Changed",
        "",
        f"- Rebased the patch series from Ultralytics {old.version} onto {new.version}:",
        *[f"  - `{name}`: {status}" for name, status, _ in report],
        "",
    ]
    m = re.search(r"^## \[(?!Unreleased)", text, re.M)
    at = m.start() if m else len(text.rstrip("\n")) + 1
    text = text[:at].rstrip("\n") + "\n\n" + "\n".join(lines) + ("\n" + text[at:] if m else "")
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
