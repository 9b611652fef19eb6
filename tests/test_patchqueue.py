"""The parts of the patch-queue tool (tools/patchqueue/), one by one; tests/test_pq.py drives the whole command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from patchqueue.apply import apply_patch, parse_patch
from patchqueue.cli import parser
from patchqueue.common import PQError
from patchqueue.dep3 import fields, message_of, overlay_paths, problems, with_overlay
from patchqueue.gitrepo import blob_id
from patchqueue.overlay import overlay_plan
from patchqueue.pin import Pin, fork_module, sha256_of, verify
from patchqueue.rebase import compare
from patchqueue.tree import write_series

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
    """tree: export writes the patches and series and removes patches no longer in the queue."""
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


HEADER = """Description: Does a thing.
 Second line of the description.
Origin: vendor, ultralytics-reid
Forwarded: not-yet (upstream-ready)
Last-Update: 2026-11-30
"""


def test_dep3_fields_overlay_and_problems():
    """dep3: fields with continuation lines; the Overlay field is set after the description and read back."""
    assert fields(HEADER)["Description"] == "Does a thing.\nSecond line of the description."
    assert problems("p", HEADER) == []
    declared = with_overlay(HEADER, ["ultralytics/a.py", "ultralytics/b.yaml"])
    assert declared.split("\n")[2:4] == ["Overlay: ultralytics/a.py", " ultralytics/b.yaml"]
    assert overlay_paths(declared) == ["ultralytics/a.py", "ultralytics/b.yaml"]
    assert with_overlay(declared, ["ultralytics/a.py"]).count("Overlay:") == 1
    assert with_overlay(declared, []) == HEADER
    assert overlay_paths(message_of(PATCH.decode())) == [] and fields(message_of(PATCH.decode()))["Forwarded"] == "no"


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda h: h.replace("Last-Update: 2026-11-30\n", ""), "no DEP-3 'Last-Update' field"),
        (lambda h: h.replace("Origin: vendor, ultralytics-reid\n", ""), "no DEP-3 'Origin' field"),
        (lambda h: h.replace("not-yet (upstream-ready)", "no"), "must be an upstream URL or no/not-needed/not-yet"),
        (lambda h: h.replace("2026-11-30", "30.11.2026"), "is not a YYYY-MM-DD date"),
        (lambda h: h.replace("Does a thing.", "TODO: what this patch does and why."), "TODO placeholder"),
    ],
)
def test_dep3_incomplete_headers_are_named(edit, error: str):
    """dep3: each missing or malformed field is one problem naming the patch."""
    found = problems("0003-x.patch", edit(HEADER))
    assert len(found) == 1 and found[0].startswith("0003-x.patch: ") and error in found[0]


def test_dep3_accepts_an_upstream_url():
    """dep3: Forwarded may be the URL of the upstream pull request."""
    assert (
        problems("p", HEADER.replace("not-yet (upstream-ready)", "https://github.com/ultralytics/ultralytics/pull/1"))
        == []
    )


def test_blob_id_is_gits(tmp_path: Path):
    """gitrepo: blob ids match git hash-object, so overlay files compare with the tree without running git per file."""
    f = tmp_path / "x"
    f.write_bytes(b"one\ntwo\n")
    assert (
        blob_id(f.read_bytes())
        == subprocess.run(["git", "hash-object", str(f)], capture_output=True, text=True).stdout.strip()
    )


def test_overlay_plan_needs_one_owner_per_file(tmp_path: Path):
    """overlay: each overlay file is brought by one patch; undeclared, doubly declared and missing files fail."""
    from patchqueue.pin import Project

    project = Project(tmp_path)
    project.patches.mkdir()
    (project.overlay / "pkg").mkdir(parents=True)
    (project.overlay / "pkg/new.py").write_text("X = 1\n")
    patch = PATCH.decode().replace("Forwarded: no", "Overlay: pkg/new.py\nForwarded: no")
    (project.patches / "0001-a.patch").write_text(patch)
    (project.patches / "0002-b.patch").write_bytes(PATCH)
    (project.patches / "series").write_text("0001-a.patch\n0002-b.patch\n")
    assert overlay_plan(project) == {"0001-a.patch": ["pkg/new.py"], "0002-b.patch": []}
    (project.overlay / "pkg/other.py").write_text("Y = 1\n")
    with pytest.raises(PQError, match=r"overlay/pkg/other.py is brought by no patch"):
        overlay_plan(project)
    (project.overlay / "pkg/other.py").unlink()
    (project.patches / "0002-b.patch").write_text(patch)
    with pytest.raises(PQError, match=r"brought by two patches, 0001-a.patch and 0002-b.patch"):
        overlay_plan(project)
    (project.patches / "0002-b.patch").write_text(patch.replace("pkg/new.py", "pkg/gone.py"))
    with pytest.raises(PQError, match=r"0002-b.patch brings overlay file pkg/gone.py .* does not exist"):
        overlay_plan(project)
