"""The patch-queue tool (tools/pq.py): materialize, refresh/export round trips, check, rebase, sdist verification."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pq
from conftest import ROOT, run_pq, snapshot


def test_help_lists_every_command():
    """`pq --help` works and names the commands a developer needs."""
    r = subprocess.run([sys.executable, str(ROOT / "tools/pq.py"), "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for command in ("materialize", "refresh", "export", "check", "rebase", "fetch"):
        assert command in r.stdout


def test_no_upstream_file_is_tracked(upstream_sdist: Path, tmp_path: Path):
    """`git ls-files` holds no upstream file: nothing under ultralytics/ and no file with an upstream file's content."""
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True)
    files = tracked.stdout.split()
    assert files, "not a git checkout"
    assert not [f for f in files if f.startswith("ultralytics/")]
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    pq.extract(upstream_sdist, upstream)
    digests = {pq.sha256_of(p) for p in upstream.rglob("*") if p.is_file() and p.stat().st_size}
    copied = [f for f in files if (ROOT / f).is_file() and pq.sha256_of(ROOT / f) in digests]
    assert not copied


def test_check_passes_on_committed_series(project: pq.Project):
    """The committed series applies exactly to the verified pin and equals what refresh regenerates."""
    r = run_pq(project, "check")
    assert "apply exactly" in r.stderr
    assert "byte-identical" in r.stderr


def test_materialize_refresh_round_trip_is_byte_identical(project: pq.Project):
    """Materialize -> refresh with no edits rewrites every patch byte for byte."""
    before = snapshot(project)
    run_pq(project, "materialize")
    assert (project.root / "ultralytics/__init__.py").is_file()
    r = run_pq(project, "refresh")
    assert "up to date" in r.stderr
    assert snapshot(project) == before


def test_materialized_tree_is_upstream_plus_series(project: pq.Project, pin: pq.Pin):
    """The tree carries the fork version, the overlay and upstream's own files."""
    dest = project.root / "tree"
    run_pq(project, "materialize", "--dest", str(dest))
    fork = (dest / "ultralytics/_fork.py").read_text()
    assert f'__version__ = "{pin.version}.post{pin.revision}"' in fork
    assert f'UPSTREAM_VERSION = "{pin.version}"' in fork
    assert f'__version__ = "{pin.version}"' in (dest / "ultralytics/__init__.py").read_text()  # upstream's line kept
    for rel in project.overlay_files():
        assert (dest / rel).read_bytes() == (project.overlay / rel).read_bytes()
    assert (dest / "ultralytics/cfg/trackers/botsort.yaml").is_file()


def patch_touching(project: pq.Project, path: str) -> str:
    """The one patch of the series that changes an upstream file."""
    [name] = [n for n in project.series() if f"+++ b/{path}\n" in (project.patches / n).read_text()]
    return name


def patch_bringing(project: pq.Project, path: str) -> str:
    """The patch whose Overlay field names an overlay file."""
    [name] = [
        n
        for n in project.series()
        if re.search(rf"^(Overlay:)? +{re.escape(path)}$", (project.patches / n).read_text(), re.M)
    ]
    return name


def test_refresh_folds_an_edit_into_the_patch_that_owns_the_file(project: pq.Project):
    """An edit to a file one patch touches lands in that patch, and survives a fresh materialize."""
    run_pq(project, "materialize")
    owner = patch_touching(project, "ultralytics/utils/checks.py")
    checks = project.root / "ultralytics/utils/checks.py"
    assert "ultralytics._fork" in checks.read_text()  # touched by the packaging patch
    checks.write_text(checks.read_text() + "\n\nREFRESH_MARKER = 1\n")
    run_pq(project, "refresh")
    assert "+REFRESH_MARKER = 1" in (project.patches / owner).read_text()
    run_pq(project, "check")
    run_pq(project, "materialize", "--force")
    assert "REFRESH_MARKER = 1" in checks.read_text()


def test_refresh_new_patch_has_dep3_header_and_orphan_edit_needs_a_target(project: pq.Project):
    """An edit no patch owns is refused without a target; --new starts a patch with a DEP-3 header."""
    run_pq(project, "materialize")
    before = project.series()
    untouched = project.root / "ultralytics/trackers/basetrack.py"  # no patch of the series touches it
    untouched.write_text(untouched.read_text() + "\n\nNEW_MARKER = 1\n")
    r = run_pq(project, "refresh", check=False)
    assert r.returncode == 2 and "cannot tell which patch" in r.stderr and "basetrack.py" in r.stderr
    run_pq(project, "refresh", "--new", "trackers: add a marker", "--description", "Adds a marker.")
    series = project.series()
    assert series[:-1] == before and series[-1].startswith(f"{len(series):04d}-trackers-add-a-marker")
    text = (project.patches / series[-1]).read_text()
    assert "Subject: [PATCH] trackers: add a marker" in text
    assert re.search(r"^Description: Adds a marker\.$", text, re.M)
    assert re.search(r"^Origin: vendor, ultralytics-reid$", text, re.M)
    assert re.search(r"^Forwarded: no \(a fork change, not offered upstream\)$", text, re.M)
    assert re.search(r"^Last-Update: \d{4}-\d{2}-\d{2}$", text, re.M)
    assert "+NEW_MARKER = 1" in text
    run_pq(project, "check")  # a complete DEP-3 header


def test_refresh_can_split_edits_into_separate_patches(project: pq.Project):
    """Naming files puts only those edits into the patch; the others stay uncommitted for the next refresh."""
    run_pq(project, "materialize")
    first, second = (project.root / "ultralytics/trackers" / n for n in ("byte_tracker.py", "oc_sort.py"))
    for path in (first, second):
        path.write_text(path.read_text() + f"\n\nMARKER_{path.stem.upper()} = 1\n")
    run_pq(project, "refresh", "--new", "first change", "-d", "First.", "ultralytics/trackers/byte_tracker.py")
    run_pq(project, "refresh", "--new", "second change", "--description", "Second.")
    patches = [(project.patches / name).read_text() for name in project.series()[-2:]]
    assert "MARKER_BYTE_TRACKER" in patches[0] and "MARKER_OC_SORT" not in patches[0]
    assert "MARKER_OC_SORT" in patches[1] and "MARKER_BYTE_TRACKER" not in patches[1]
    run_pq(project, "check")


def test_materialize_refuses_to_discard_unexported_edits(project: pq.Project):
    """Work in the developer tree is never thrown away silently."""
    run_pq(project, "materialize")
    init = project.root / "ultralytics/__init__.py"
    init.write_text(init.read_text() + "\nUNSAVED = 1\n")
    r = run_pq(project, "materialize", check=False)
    assert r.returncode == 2 and "refresh" in r.stderr
    assert "UNSAVED = 1" in init.read_text()


def test_patch_that_does_not_apply_fails_naming_patch_and_hunk(project: pq.Project):
    """A hunk whose context does not match exactly fails loudly, names patch, file and hunk, and leaves no tree."""
    name = patch_touching(project, "ultralytics/__init__.py")
    patch = project.patches / name
    text = patch.read_text()
    context = " from ultralytics.utils import ASSETS, SETTINGS\n"
    assert context in text
    patch.write_text(text.replace(context, " from ultralytics.utils import ASSETS, SETTINGS, LOGGER\n", 1))
    dest = project.root / "tree"
    r = run_pq(project, "materialize", "--dest", str(dest), check=False)
    assert r.returncode == 2
    assert f"patch {name} does not apply: hunk #1 @@ -11,11 +11,14 @@" in r.stderr
    assert "ultralytics/__init__.py" in r.stderr and "LOGGER" in r.stderr
    assert not dest.exists()


def test_wrong_sha256_is_refused(project: pq.Project, upstream_sdist: Path, tmp_path: Path):
    """An sdist whose sha256 differs from the pin is refused with a clear error, and nothing is materialized."""
    pin = project.pin()
    pq.Pin(pin.name, pin.version, "0" * 64, pin.revision).dump(project.pin_file)
    dest = tmp_path / "tree"
    r = run_pq(project, "materialize", "--dest", str(dest), "--sdist", str(upstream_sdist), check=False)
    assert r.returncode == 2
    assert "sha256 mismatch" in r.stderr and "0" * 64 in r.stderr and pin.sha256 in r.stderr
    assert not dest.exists()


def test_tampered_cached_sdist_is_refused(project: pq.Project, upstream_sdist: Path, tmp_path: Path, monkeypatch):
    """A cached sdist that was altered after download is refused, not used."""
    cache = tmp_path / "cache"
    cache.mkdir()
    tampered = cache / upstream_sdist.name
    tampered.write_bytes(upstream_sdist.read_bytes() + b"\0")
    monkeypatch.setenv("ULTRALYTICS_REID_CACHE", str(cache))
    r = run_pq(project, "fetch", check=False)
    assert r.returncode == 2 and "sha256 mismatch" in r.stderr


def git_in(tree: Path, *args: str) -> str:
    """Output of a git command in a tree."""
    return subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True, check=True).stdout


def test_overlay_files_are_tracked_in_the_tree_by_the_patch_that_brings_them(project: pq.Project):
    """In the developer tree `git grep` and `git log` see the overlay files, committed with their patch."""
    run_pq(project, "materialize")
    rel = "ultralytics/trackers/utils/scene_reid.py"
    assert git_in(project.worktree, "grep", "-l", "class SceneReID").split() == [rel]
    assert not (project.worktree / rel).is_symlink()
    subject = re.search(
        r"^Subject: \[PATCH\] (.+)$", (project.patches / patch_bringing(project, rel)).read_text(), re.M
    )
    assert git_in(project.worktree, "log", "--format=%s", "--", rel).strip() == subject[1]


def test_overlay_edits_in_the_tree_or_in_overlay_land_in_their_patch(project: pq.Project):
    """An overlay file edited in the tree is folded into its patch and written to overlay/, and back.

    An edit made in overlay/ is taken into the tree. The patch files do not change (overlay files are not diffs).
    """
    run_pq(project, "materialize")
    rel = "ultralytics/trackers/utils/scene_reid.py"
    before = snapshot(project)
    edited = project.root / rel  # ./ultralytics -> .pq/ultralytics
    edited.write_text(edited.read_text() + "\nTREE_MARKER = 1\n")
    run_pq(project, "refresh")
    assert "TREE_MARKER = 1" in (project.overlay / rel).read_text()
    assert snapshot(project) == before
    (project.overlay / rel).write_text((project.overlay / rel).read_text() + "OVERLAY_MARKER = 1\n")
    run_pq(project, "refresh")
    assert "OVERLAY_MARKER = 1" in edited.read_text() and not git_in(project.worktree, "status", "--porcelain")
    assert len(git_in(project.worktree, "log", "--format=%s", "--", rel).split("\n")) == 2  # one commit, and the end
    run_pq(project, "check")


def test_a_new_file_becomes_an_overlay_file_of_its_patch(project: pq.Project):
    """A new file committed with a new patch is written to overlay/ and named in the patch's Overlay field."""
    run_pq(project, "materialize")
    rel = "ultralytics/trackers/utils/extra_module.py"
    (project.root / rel).write_text('"""An extra module."""\n\nEXTRA = 1\n')
    run_pq(project, "refresh", "--new", "trackers: add an extra module", "--description", "Adds a module.")
    name = project.series()[-1]
    text = (project.patches / name).read_text()
    assert f"Overlay: {rel}\n" in text and "diff --git" not in text
    assert (project.overlay / rel).read_text().endswith("EXTRA = 1\n")
    run_pq(project, "check")
    dest = project.root / "tree"
    run_pq(project, "materialize", "--dest", str(dest))
    assert (dest / rel).is_file()


def test_prefixes_carry_the_overlay_files_of_their_patches(project: pq.Project):
    """Materializing --upto N gives the tree of the first N patches: an overlay file arrives with its patch."""
    rel = "ultralytics/trackers/config.py"
    k = project.series().index(patch_bringing(project, rel)) + 1
    for n in (k - 1, k):
        run_pq(project, "materialize", "--dest", str(project.root / f"tree{n}"), "--upto", str(n))
    assert not (project.root / f"tree{k - 1}" / rel).exists() and (project.root / f"tree{k}" / rel).is_file()


def test_check_refuses_a_patch_that_rewrites_lines_another_patch_added(project: pq.Project):
    """Each patch must be in its final form: a later patch editing an earlier patch's lines fails the check."""
    run_pq(project, "materialize")
    gmc = project.root / "ultralytics/trackers/utils/gmc.py"
    gmc.write_text(gmc.read_text().replace("choose one of sparseOptFlow", "use one of sparseOptFlow"))
    run_pq(project, "refresh", "--new", "gmc: reword the method error", "--description", "Rewords it.")
    r = run_pq(project, "check", check=False)
    assert r.returncode == 1
    assert "'gmc: reword the method error' changes lines of ultralytics/trackers/utils/gmc.py that" in r.stderr
    assert "'gmc: name the valid methods when the method is unknown' added" in r.stderr


def test_check_refuses_an_incomplete_dep3_header(project: pq.Project):
    """A patch without Last-Update (or another required field) fails the check, named."""
    name = project.series()[0]
    patch = project.patches / name
    patch.write_text(re.sub(r"^Last-Update: .*\n", "", patch.read_text(), count=1, flags=re.M))
    r = run_pq(project, "check", check=False)
    assert r.returncode == 1 and f"{name}: no DEP-3 'Last-Update' field" in r.stderr


def test_check_each_runs_every_prefix_and_names_the_one_that_breaks(project: pq.Project):
    """Checking with --each smoke-tests the tree of every prefix (import, track) and names a broken prefix."""
    first = project.series()[0]
    (project.patches / "series").write_text(first + "\n")
    shutil.rmtree(project.overlay)  # the overlay files belong to later patches
    run_pq(project, "materialize")
    track = project.root / "ultralytics/trackers/track.py"
    track.write_text(track.read_text() + '\nraise RuntimeError("broken on purpose")\n')
    run_pq(project, "refresh", "--new", "trackers: break the import", "--description", "Breaks it.")
    r = run_pq(project, "check", "--each", "--python", sys.executable, check=False)
    assert r.returncode == 1, r.stderr
    assert re.search(rf"^ +1 {re.escape(first)}: ok \(\d+ s; .*bytetrack [1-9]", r.stderr, re.M)
    assert re.search(r"^ +2 0002-trackers-break-the-import.patch: FAIL", r.stderr, re.M)
    assert "prefix 2 (0002-trackers-break-the-import.patch) fails its smoke test" in r.stderr
    assert "broken on purpose" in r.stderr


@pytest.mark.slow
def test_rebase_onto_another_release_reports_each_patch_and_updates_pin(project: pq.Project, pin: pq.Pin):
    """Rebasing onto a real older release reports every patch, then updates pin, series and CHANGELOG."""
    target = "8.4.185"
    before = snapshot(project)
    dry = run_pq(project, "rebase", target, "--dry-run")
    statuses = re.findall(r"^(\d{4}-\S+\.patch)\s+(.+)$", dry.stderr, re.M)
    assert [name for name, _ in statuses] == project.series()
    assert all(s.startswith(("applied", "already upstream")) for _, s in statuses), statuses
    assert snapshot(project) == before  # dry run changes nothing
    run_pq(project, "rebase", target)
    new_pin = project.pin()
    assert (new_pin.version, new_pin.revision) == (target, 1)
    assert new_pin.sha256 == pq.sha256_of(pq.cache_dir() / f"ultralytics-{target}.tar.gz")
    changelog = (project.root / "CHANGELOG.md").read_text()
    assert f"## [{target}.post1]" in changelog and f"Upstream base: Ultralytics {target}" in changelog
    run_pq(project, "check")  # the rebased series applies exactly to the new pin


@pytest.mark.slow
def test_conflicting_patch_is_reported_and_nothing_is_half_applied(project: pq.Project, pin: pq.Pin):
    """A patch that cannot merge is reported as a conflict (with the conflict shown); no file changes."""
    run_pq(project, "materialize")
    init = project.root / "ultralytics/__init__.py"
    init.write_text(init.read_text().replace(f'__version__ = "{pin.version}"', '__version__ = "0.0.0-conflict"'))
    run_pq(project, "refresh", "--new", "test: change the upstream version line")
    before = snapshot(project)
    r = run_pq(project, "rebase", "8.4.185", check=False)
    assert r.returncode == 1
    assert re.search(
        r"^\d{4}-test-change-the-upstream-version-line\.patch\s+CONFLICT in ultralytics/__init__\.py", r.stderr, re.M
    )
    assert re.search(r"^0001-\S+\s+applied", r.stderr, re.M)  # the series before it rebases
    assert "<<<<<<<" in r.stderr and "0.0.0-conflict" in r.stderr and '"8.4.185"' in r.stderr
    assert snapshot(project) == before
    assert project.pin().version == pin.version
    shutil.rmtree(project.worktree)
