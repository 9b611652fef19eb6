#!/usr/bin/env python3
"""Patch queue for ultralytics-reid: a pinned upstream Ultralytics sdist + ``patches/series`` + ``overlay/``.

The fork is never committed as source. It is *materialized*: the pinned upstream sdist (sha256-checked) is unpacked,
every patch in ``patches/series`` is applied exactly (no fuzz, no offset), the files of ``overlay/`` (wholly new
modules and configs of the fork) are placed into the tree and ``ultralytics/_fork.py`` is generated from the pin.

Developer workflow (the materialized tree is a git repository, one commit per patch, in the spirit of ``gbp pq``)::

    python tools/pq.py materialize          # .pq/ = upstream + series; ./ultralytics -> .pq/ultralytics
    $EDITOR ultralytics/trackers/track.py   # edit the tree
    python tools/pq.py refresh              # fold the edits into the patch that owns the file(s), rewrite patches/
    python tools/pq.py refresh --new "trackers: add X" --description "..."   # or start a new patch
    python tools/pq.py check                # series applies to the pin and patches/ is what refresh would write
    python tools/pq.py rebase 8.4.191       # 3-way rebase onto another upstream release, per-patch report

Only the Python standard library is used; ``git`` is needed for the developer commands (not for ``build``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKTREE = ".pq"  # materialized developer tree (a git repository), relative to the project root
PACKAGE = "ultralytics"
FORK_MODULE = f"{PACKAGE}/_fork.py"  # generated from the pin; never edited by hand
UPSTREAM_TAG = "upstream"
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


# --------------------------------------------------------------------------------------------------------------------
# Project layout and pin


@dataclasses.dataclass
class Pin:
    """The upstream release the series applies to (``patches/upstream.toml``)."""

    name: str
    version: str
    sha256: str
    revision: int

    @property
    def sdist(self) -> str:
        """File name of the upstream sdist."""
        return f"{self.name}-{self.version}.tar.gz"

    @property
    def fork_version(self) -> str:
        """PEP 440 version of ultralytics-reid: the upstream version plus the series revision as a post-release."""
        return f"{self.version}.post{self.revision}"

    @classmethod
    def load(cls, path: Path) -> Pin:
        """Read a pin file (a flat TOML table of strings and integers)."""
        values: dict[str, str | int] = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r'([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|(\d+))', line)
            if not m:
                raise PQError(f'{path}:{n}: expected key = "string" or key = integer, got {line!r}')
            values[m[1]] = m[2] if m[2] is not None else int(m[3])
        try:
            pin = cls(str(values["name"]), str(values["version"]), str(values["sha256"]), int(values["revision"]))
        except KeyError as e:
            raise PQError(f"{path}: missing key {e}") from None
        if not re.fullmatch(r"[0-9a-f]{64}", pin.sha256):
            raise PQError(f"{path}: sha256 must be 64 lowercase hex digits, got {pin.sha256!r}")
        return pin

    def dump(self, path: Path) -> None:
        """Write the pin file."""
        path.write_text(
            "# Upstream release the patch series applies to. Written by `python tools/pq.py rebase VERSION`.\n"
            "# The sdist is downloaded from PyPI into a cache outside git and checked against sha256 on every use.\n"
            f'name = "{self.name}"\n'
            f'version = "{self.version}"\n'
            f'sha256 = "{self.sha256}"\n'
            "# Revision of the series on this upstream version: ultralytics-reid is <version>.post<revision>.\n"
            f"revision = {self.revision}\n",
            encoding="utf-8",
        )


@dataclasses.dataclass
class Project:
    """Paths of an ultralytics-reid checkout (or of an unpacked ultralytics-reid sdist)."""

    root: Path

    @property
    def patches(self) -> Path:
        """Directory holding ``series``, ``upstream.toml`` and the ``.patch`` files."""
        return self.root / "patches"

    @property
    def overlay(self) -> Path:
        """Directory of wholly new files, laid out as in the tree (``overlay/ultralytics/...``)."""
        return self.root / "overlay"

    @property
    def pin_file(self) -> Path:
        """The upstream pin."""
        return self.patches / "upstream.toml"

    @property
    def worktree(self) -> Path:
        """The developer's materialized tree."""
        return self.root / WORKTREE

    def pin(self) -> Pin:
        """Load the upstream pin."""
        return Pin.load(self.pin_file)

    def series(self) -> list[str]:
        """Patch file names in application order."""
        names = []
        for line in (self.patches / "series").read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                if not (self.patches / line).is_file():
                    raise PQError(f"patches/series names {line!r}, but patches/{line} does not exist")
                names.append(line)
        return names

    def overlay_files(self) -> list[str]:
        """Tree-relative paths of the overlay files."""
        if not self.overlay.is_dir():
            return []
        return sorted(
            p.relative_to(self.overlay).as_posix()
            for p in self.overlay.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )


def fork_module(pin: Pin) -> str:
    """Source of the generated ``ultralytics/_fork.py``."""
    return (
        "# Generated by tools/pq.py from patches/upstream.toml. Do not edit: change the pin and re-materialize.\n"
        '"""Identity of the ultralytics-reid fork and of the upstream Ultralytics release it is built on."""\n\n'
        'DISTRIBUTION = "ultralytics-reid"\n'
        f'__version__ = "{pin.fork_version}"\n'
        f'UPSTREAM_VERSION = "{pin.version}"\n'
        f"SERIES_REVISION = {pin.revision}\n"
        f'DESCRIPTION = f"{{DISTRIBUTION}} {{__version__}}, based on Ultralytics {{UPSTREAM_VERSION}}"\n'
    )


# --------------------------------------------------------------------------------------------------------------------
# Upstream sdist: cache, download, verification


def cache_dir() -> Path:
    """Where upstream sdists are kept (outside git): $ULTRALYTICS_REID_CACHE or the XDG cache."""
    if os.environ.get("ULTRALYTICS_REID_CACHE"):
        return Path(os.environ["ULTRALYTICS_REID_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ultralytics-reid" / "upstream"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, sha256: str) -> None:
    """Refuse an sdist whose sha256 differs from the pin."""
    got = sha256_of(path)
    if got != sha256:
        raise PQError(
            f"sha256 mismatch for {path}:\n  expected {sha256} (patches/upstream.toml)\n  got      {got}\n"
            "Refusing to use it. Delete the file to download it again, or fix the pin if upstream re-released."
        )


def download(name: str, version: str) -> Path:
    """Download an upstream sdist from the package index into a temporary directory with pip; returns its path."""
    tmp = Path(tempfile.mkdtemp(prefix="pq-download-"))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--dest", str(tmp)]
    cmd += ["--disable-pip-version-check", "--quiet", f"{name}=={version}"]
    log(f"downloading {name}=={version} sdist: {' '.join(cmd[2:])}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    files = sorted(tmp.glob(f"{name}-{version}.tar.gz"))
    if r.returncode or not files:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PQError(f"could not download the {name}=={version} sdist with pip:\n{(r.stderr or r.stdout).strip()}")
    return files[0]


def fetch(name: str, version: str, sha256: str | None, sdist: Path | None = None) -> Path:
    """Return a verified upstream sdist: ``sdist`` if given, else the cache, else a fresh download into the cache.

    With ``sha256=None`` (a release not pinned yet) the file is accepted as downloaded and its hash is reported.
    """
    if sdist is not None:
        if sha256:
            verify(sdist, sha256)
        return sdist
    cached = cache_dir() / f"{name}-{version}.tar.gz"
    if not cached.exists():
        got = download(name, version)
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(got), cached)
        shutil.rmtree(got.parent, ignore_errors=True)
    if sha256:
        verify(cached, sha256)
    return cached


def extract(sdist: Path, dest: Path) -> None:
    """Unpack an sdist into ``dest`` without its top-level folder and without sdist-generated metadata."""
    with tarfile.open(sdist) as tar:
        members = []
        for m in tar.getmembers():
            top, _, rest = m.name.partition("/")
            if not rest or rest in SKIP_FROM_SDIST or rest.split("/", 1)[0].endswith(".egg-info"):
                continue
            m.name = rest
            members.append(m)
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python < 3.8.17 without extraction filters: refuse anything that could escape dest
            for m in members:
                if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
                    raise PQError(f"{sdist}: refusing unsafe member {m.name!r}")
            tar.extractall(dest, members=members)


# --------------------------------------------------------------------------------------------------------------------
# Exact patch application (stdlib; used for every materialization, so build and developer trees are the same)


@dataclasses.dataclass
class Hunk:
    """One ``@@`` hunk: its header and lines (each with the leading ' ', '-' or '+' and its own line ending)."""

    header: str
    old_start: int
    old_len: int
    lines: list[bytes]

    def side(self, keep: bytes) -> list[bytes]:
        """Lines of the old (``keep=b'-'``) or new (``keep=b'+'``) side, without the prefix."""
        return [line[1:] for line in self.lines if line[:1] in (b" ", keep)]


@dataclasses.dataclass
class FileDiff:
    """The changes of one file in a patch."""

    old: str | None  # None for a new file
    new: str | None  # None for a deleted file
    hunks: list[Hunk]
    mode: int | None = None  # mode of a new file

    @property
    def path(self) -> str:
        """Path of the file in the tree."""
        return self.new or self.old or ""


def split_lines(data: bytes) -> list[bytes]:
    """Split at LF only, keeping line endings (unlike bytes.splitlines, a lone CR stays inside its line)."""
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def parse_patch(data: bytes, name: str) -> list[FileDiff]:
    """Parse the diff part of a ``git format-patch`` file."""
    lines = split_lines(data)
    diffs: list[FileDiff] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith(b"diff --git "):
            i += 1
            continue
        i += 1
        old = new = None
        mode = None
        while i < len(lines) and not lines[i].startswith((b"@@", b"diff --git ")):
            line = lines[i].rstrip(b"\n").decode("utf-8", "surrogateescape")
            if line.startswith(("rename ", "copy ", "GIT binary patch", "Binary files")):
                raise PQError(f"{name}: renames, copies and binary diffs are not supported ({line!r})")
            if line.startswith("new file mode "):
                mode = int(line.split()[-1], 8)
            elif line.startswith("--- "):
                old = None if line[4:] == "/dev/null" else line[4:].removeprefix("a/")
            elif line.startswith("+++ "):
                new = None if line[4:] == "/dev/null" else line[4:].removeprefix("b/")
            i += 1
        diff = FileDiff(old, new, [], mode)
        while i < len(lines) and lines[i].startswith(b"@@"):
            header = lines[i].rstrip(b"\n").decode("utf-8", "surrogateescape")
            m = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", header)
            if not m:
                raise PQError(f"{name}: malformed hunk header {header!r}")
            old_len = 1 if m[2] is None else int(m[2])
            new_len = 1 if m[4] is None else int(m[4])
            hunk = Hunk(header, int(m[1]), old_len, [])
            i += 1
            n_old = n_new = 0
            while i < len(lines) and (n_old < old_len or n_new < new_len or lines[i].startswith(b"\\")):
                line = lines[i]
                if line.startswith(b"\\"):  # "\ No newline at end of file" applies to the line before it
                    if hunk.lines:
                        hunk.lines[-1] = hunk.lines[-1].removesuffix(b"\n")
                    i += 1
                    continue
                tag = line[:1] if line != b"\n" else b" "  # some tools strip the space of empty context lines
                if tag not in (b" ", b"-", b"+"):
                    raise PQError(f"{name}: hunk {header!r} of {diff.path}: unexpected line {line!r}")
                n_old += tag in (b" ", b"-")
                n_new += tag in (b" ", b"+")
                hunk.lines.append(tag + line[1:] if line != b"\n" else b" \n")
                i += 1
            if n_old != old_len or n_new != new_len:
                raise PQError(f"{name}: hunk {header!r} of {diff.path} is truncated")
            diff.hunks.append(hunk)
        diffs.append(diff)
    return diffs


def apply_patch(tree: Path, data: bytes, name: str) -> list[str]:
    """Apply a patch to ``tree`` exactly: every hunk must match at its stated line. Returns the touched paths.

    Nothing is written unless every hunk of every file applies.
    """
    results: dict[str, bytes | None] = {}
    modes: dict[str, int] = {}
    for diff in parse_patch(data, name):
        path = diff.path
        target = tree / path
        if diff.old is None:
            if target.exists():
                raise PQError(f"patch {name} does not apply: it creates {path}, which already exists")
            old_lines: list[bytes] = []
        else:
            if not target.is_file():
                raise PQError(f"patch {name} does not apply: {path} does not exist")
            old_lines = split_lines(results.get(path) or target.read_bytes())
        out: list[bytes] = []
        pos = 0  # index into old_lines of the first line not yet copied
        for k, hunk in enumerate(diff.hunks, 1):
            start = hunk.old_start - 1 if hunk.old_len else hunk.old_start
            expected = hunk.side(b"-")
            found = old_lines[start : start + len(expected)]
            if start < pos or found != expected:
                bad = next(
                    (j for j, (e, f) in enumerate(zip(expected, found)) if e != f), min(len(found), len(expected))
                )
                want = expected[bad] if bad < len(expected) else b"<end of hunk>"
                got = found[bad] if bad < len(found) else b"<end of file>"
                raise PQError(
                    f"patch {name} does not apply: hunk #{k} {hunk.header} of {path}\n"
                    f"  line {start + bad + 1}: the patch expects {want!r}\n"
                    f"  {' ' * len(str(start + bad + 1))}        the file has    {got!r}"
                )
            out += old_lines[pos:start] + hunk.side(b"+")
            pos = start + len(expected)
        out += old_lines[pos:]
        results[path] = None if diff.new is None else b"".join(out)
        if diff.mode is not None:
            modes[path] = diff.mode
    for path, content in results.items():
        target = tree / path
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if path in modes:
            target.chmod(modes[path] & 0o777)
    return list(results)


# --------------------------------------------------------------------------------------------------------------------
# git helpers


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


# --------------------------------------------------------------------------------------------------------------------
# Materialize


def materialize(project: Project, dest: Path, *, queue: bool, link_overlay: bool = False, sdist: Path | None = None):
    """Build the fork's tree in ``dest`` (which must not exist) from the pinned sdist, the series and the overlay.

    Args:
        project: The checkout whose pin, series and overlay are used.
        dest: Directory to create.
        queue: Also make ``dest`` a git repository with one commit per patch (needs git).
        link_overlay: Place overlay files as symlinks to ``overlay/`` (developer trees: edits land in the sources).
        sdist: Use this upstream sdist instead of the cache/download (its sha256 is still checked).
    """
    pin = project.pin()
    series = project.series()
    tarball = fetch(pin.name, pin.version, pin.sha256, sdist)
    if queue:
        require_git()
    dest.mkdir(parents=True)
    try:
        extract(tarball, dest)
        if queue:
            init_repo(dest, pin.version)
        for name in series:
            patch = project.patches / name
            apply_patch(dest, patch.read_bytes(), name)
            if queue:
                info, message = patch_metadata(patch)
                commit_all(dest, message, info.get("Author", ""), info.get("Email", ""), info.get("Date", ""))
        place_overlay(project, dest, link=link_overlay)
        (dest / FORK_MODULE).write_text(fork_module(pin), encoding="utf-8")
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # never leave a half-applied tree behind
        raise


def place_overlay(project: Project, dest: Path, link: bool) -> None:
    """Copy (or symlink) the overlay files into a tree; in a queue repository, make git ignore them."""
    files = project.overlay_files()
    for rel in files:
        target = dest / rel
        if target.is_symlink() and link:
            continue
        if target.exists():
            raise PQError(
                f"overlay/{rel} would replace upstream's {rel}: overlay files must be new. Change upstream files "
                "with a patch instead (python tools/pq.py refresh)."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        if link:
            target.symlink_to(project.overlay / rel)
        else:
            shutil.copy2(project.overlay / rel, target)
    if (dest / ".git").is_dir():  # overlay and generated files are not part of the queue
        excluded = "".join(f"/{p}\n" for p in [*files, FORK_MODULE])
        (dest / ".git/info/exclude").write_text(excluded, encoding="utf-8")


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
    """The patch files that ``export`` would write for the developer tree: {file name: content}."""
    with tempfile.TemporaryDirectory() as tmp:
        git(tree, *FORMAT_PATCH_ARGS, "-o", tmp, f"{UPSTREAM_TAG}..HEAD")
        return {p.name: p.read_bytes() for p in sorted(Path(tmp).glob("*.patch"))}


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


# --------------------------------------------------------------------------------------------------------------------
# Commands


def cmd_materialize(project: Project, args: argparse.Namespace) -> int:
    """Materialize the fork: a developer tree at .pq/ (default) or a plain tree at --dest."""
    if args.dest:
        dest = Path(args.dest).resolve()
        if dest.exists():
            raise PQError(f"{dest} exists; materialize needs a new directory")
        materialize(project, dest, queue=args.git, sdist=args.sdist)
        log(f"materialized {project.pin().fork_version} into {dest}")
        return 0
    tree = project.worktree
    if tree.exists():
        if not args.force:
            dirty = dirty_paths(tree)
            if dirty or queue_patches(tree) != {n: (project.patches / n).read_bytes() for n in project.series()}:
                raise PQError(
                    f"{tree} holds work that is not in patches/ ({len(dirty)} edited files): run "
                    "`python tools/pq.py refresh` first, or pass --force to discard it"
                )
        shutil.rmtree(tree)
    materialize(project, tree, queue=True, link_overlay=True, sdist=args.sdist)
    link_package(project)
    pin = project.pin()
    log(
        f"materialized ultralytics-reid {pin.fork_version} ({len(project.series())} patches on {pin.version}) in {tree}"
    )
    log(f"./{PACKAGE} -> {WORKTREE}/{PACKAGE}; edit there, then `python tools/pq.py refresh`")
    return 0


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


DEP3_TEMPLATE = """{subject}

Description: {description}
Forwarded: {forwarded}
"""


def cmd_refresh(project: Project, args: argparse.Namespace) -> int:
    """Fold edits in the developer tree into the patch that owns them (or a new patch), then export."""
    require_git()
    tree = project.worktree
    if not (tree / ".git").exists():
        raise PQError(f"no developer tree at {tree}: run `python tools/pq.py materialize` first")
    if worktree_base(tree) != project.pin().version:
        raise PQError(f"{tree} is based on {worktree_base(tree)}, the pin on {project.pin().version}: re-materialize")
    place_overlay(project, tree, link=True)  # overlay files added since materialize
    dirty = dirty_paths(tree)
    if args.paths:  # only these files (tree-relative, or relative to the checkout through ./ultralytics)
        wanted = {Path(p).as_posix().removeprefix("./") for p in args.paths}
        unknown = wanted - set(dirty)
        if unknown:
            raise PQError(f"no uncommitted edits in: {', '.join(sorted(unknown))}")
        dirty = sorted(wanted)
    if dirty and args.new:
        description = args.description or "TODO: what this patch does and why."
        message = DEP3_TEMPLATE.format(subject=args.new, description=description, forwarded=args.forwarded)
        author, email = user_identity(project.root)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
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


def export(project: Project) -> int:
    """Rewrite patches/ and series from the developer tree's queue."""
    changed = write_series(project, queue_patches(project.worktree))
    for name in changed:
        log(f"  wrote patches/{name}" if (project.patches / name).exists() else f"  removed patches/{name}")
    log(f"patches/ is up to date ({len(project.series())} patches)" if not changed else f"{len(changed)} changed")
    return 0


def cmd_export(project: Project, args: argparse.Namespace) -> int:
    """Rewrite patches/ from the commits of the developer tree (after git commit / rebase -i there)."""
    require_git()
    if dirty_paths(project.worktree):
        log("note: uncommitted edits in the tree are not exported; use `refresh` to fold them into a patch")
    return export(project)


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    """Series applies exactly to the verified pin; patches/ equals what refresh would write; the tree is exported."""
    require_git()
    problems = []
    pin = project.pin()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        materialize(project, tree, queue=True, sdist=args.sdist)
        log(f"ok: {len(project.series())} patches apply exactly to {pin.sdist} (sha256 verified)")
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
        problems += check_dependencies(project, tree)
    if project.worktree.exists():
        dirty = dirty_paths(project.worktree)
        if dirty:
            problems.append(f"{WORKTREE}/ has edits not in any patch: {', '.join(dirty)} (run refresh)")
        elif worktree_base(project.worktree) != pin.version or queue_patches(project.worktree) != committed:
            problems.append(f"{WORKTREE}/ has commits not exported to patches/ or is stale (run export or materialize)")
        else:
            log(f"ok: the developer tree {WORKTREE}/ holds nothing that is not in patches/")
    for p in problems:
        log(f"FAIL: {p}")
    return 1 if problems else 0


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


# --------------------------------------------------------------------------------------------------------------------
# Rebase


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
        for p in [*project.overlay_files(), FORK_MODULE]:  # keep the queue repository to upstream + patches
            (repo / p).unlink()
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
            new_patch = git(repo, "show", "--format=", "--abbrev=12", "HEAD").stdout
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


def cmd_fetch(project: Project, args: argparse.Namespace) -> int:
    """Download (or find in the cache) and verify an upstream sdist; print its path and sha256."""
    pin = project.pin()
    version = args.version or pin.version
    path = fetch(pin.name, version, pin.sha256 if version == pin.version else args.sha256)
    print(f"{path} sha256={sha256_of(path)}")
    return 0


# --------------------------------------------------------------------------------------------------------------------
# CLI


def log(msg: str) -> None:
    """Progress and reports go to stderr; machine-readable results to stdout."""
    print(msg, file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    """Command-line interface."""
    p = argparse.ArgumentParser(prog="pq", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=ROOT, help="project root (default: this checkout)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("materialize", help="pinned sdist + series + overlay -> tree (default: developer tree .pq/)")
    s.add_argument("--dest", help="write a plain tree here instead of the developer tree")
    s.add_argument("--git", action="store_true", help="with --dest: make it a git repository, one commit per patch")
    s.add_argument("--force", action="store_true", help="discard edits in the developer tree that are not exported")
    s.add_argument("--sdist", type=Path, help="use this upstream sdist file (sha256 still checked)")
    s.set_defaults(func=cmd_materialize)

    s = sub.add_parser("refresh", help="fold edits in ultralytics/ into their patch (or --new one); rewrite patches/")
    s.add_argument("--patch", help="fold the edits into this patch (file name, number or subject substring)")
    s.add_argument("--new", metavar="SUBJECT", help="put the edits into a new patch at the end of the series")
    s.add_argument("--description", help="with --new: the DEP-3 Description (what and why)")
    s.add_argument("--forwarded", default="no", help="with --new: the DEP-3 Forwarded value (default: no)")
    s.add_argument("paths", nargs="*", help="only fold these edited files (default: every edited file)")
    s.set_defaults(func=cmd_refresh)

    s = sub.add_parser("export", help="rewrite patches/ from the developer tree's commits (after git rebase -i)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("check", help="series applies exactly to the pin; patches/ is what refresh writes")
    s.add_argument("--sdist", type=Path, help="use this upstream sdist file (sha256 still checked)")
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


if __name__ == "__main__":
    sys.exit(main())
