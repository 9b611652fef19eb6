"""Exact patch application (stdlib): every hunk must match at its stated line, no fuzz, no offset.

Used for every materialization, so build trees and developer trees are the same.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from .common import PQError


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


# git helpers
