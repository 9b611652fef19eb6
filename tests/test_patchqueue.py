"""The parts of the patch-queue tool (tools/patchqueue/), one by one; tests/test_pq.py drives the whole command."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchqueue.apply import apply_patch, parse_patch
from patchqueue.cli import parser
from patchqueue.common import PQError
from patchqueue.pin import Pin, fork_module, sha256_of, verify
from patchqueue.queue import write_series
from patchqueue.rebase import compare

PATCH = b"""From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
Subject: [PATCH] demo: change a line

Description: Changes b into B.
Forwarded: no
---
 pkg/a.txt | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/pkg/a.txt b/pkg/a.txt
index 111111111111..222222222222 100644
--- a/pkg/a.txt
+++ b/pkg/a.txt
@@ -1,3 +1,3 @@
 a
-b
+B
 c
"""


def test_pin_round_trip_and_errors(tmp_path: Path):
    """pin: a pin file reads back as written; a malformed line or hash is an error naming the file."""
    pin = Pin("ultralytics", "8.4.190", "a" * 64, 3)
    path = tmp_path / "upstream.toml"
    pin.dump(path)
    assert Pin.load(path) == pin and pin.fork_version == "8.4.190.post3" and pin.sdist == "ultralytics-8.4.190.tar.gz"
    path.write_text(path.read_text().replace('sha256 = "' + "a" * 64, 'sha256 = "xyz'))
    with pytest.raises(PQError, match="sha256 must be 64 lowercase hex digits"):
        Pin.load(path)
    path.write_text("name: ultralytics\n")
    with pytest.raises(PQError, match=r"upstream.toml:1: expected key"):
        Pin.load(path)
    assert '__version__ = "8.4.190.post3"' in fork_module(pin) and 'UPSTREAM_VERSION = "8.4.190"' in fork_module(pin)


def test_sha256_verification(tmp_path: Path):
    """pin: a file is accepted only with the pinned sha256."""
    f = tmp_path / "x.tar.gz"
    f.write_bytes(b"data")
    verify(f, sha256_of(f))
    with pytest.raises(PQError, match="sha256 mismatch"):
        verify(f, "0" * 64)


def test_apply_is_exact(tmp_path: Path):
    """apply: a patch applies only where its context matches at the stated line; a mismatch names the hunk."""
    [diff] = parse_patch(PATCH, "demo.patch")
    assert diff.path == "pkg/a.txt" and len(diff.hunks) == 1
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/a.txt").write_text("a\nb\nc\n")
    assert apply_patch(tmp_path, PATCH, "demo.patch") == ["pkg/a.txt"]
    assert (tmp_path / "pkg/a.txt").read_text() == "a\nB\nc\n"
    with pytest.raises(PQError, match=r"patch demo.patch does not apply: hunk #1 @@ -1,3 \+1,3 @@"):
        apply_patch(tmp_path, PATCH, "demo.patch")  # already applied: the context no longer matches
    (tmp_path / "pkg/a.txt").write_text("z\na\nb\nc\n")
    with pytest.raises(PQError, match="does not apply"):
        apply_patch(tmp_path, PATCH, "demo.patch")  # no offset: the same hunk one line lower is refused


def test_rebase_compare_classifies_a_rebased_patch():
    """rebase: same hunks are 'applied', moved hunks 'applied with offset', changed hunks a 3-way merge."""
    old = PATCH.decode()
    assert compare(old, old) == "applied"
    assert compare(old, old.replace("@@ -1,3 +1,3 @@", "@@ -4,3 +4,3 @@")) == "applied with offset (+3 lines)"
    assert compare(old, old.replace(" c\n", " C\n")).startswith("applied with 3-way merge")


def test_write_series_replaces_files_and_series(tmp_path: Path):
    """queue: export writes the patches and series and removes patches no longer in the queue."""
    from patchqueue.pin import Project

    project = Project(tmp_path)
    project.patches.mkdir()
    (project.patches / "0001-old.patch").write_bytes(b"old")
    (project.patches / "series").write_text("0001-old.patch\n")
    changed = write_series(project, {"0001-new.patch": PATCH})
    assert sorted(changed) == ["0001-new.patch", "0001-old.patch"]
    assert project.series() == ["0001-new.patch"] and not (project.patches / "0001-old.patch").exists()


def test_cli_names_every_command():
    """cli: the parser offers materialize, refresh, export, check, rebase and fetch."""
    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"materialize", "refresh", "export", "check", "rebase", "fetch"}
