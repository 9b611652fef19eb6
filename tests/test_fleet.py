"""The fleet on a local 2-worker Ray instance (CPU), with native ReID and the offline person detector.

Each source's tracks are those of tracking it alone with `model.track(..., persist=True)`; a worker killed with
`ray.kill` mid-run loses no frame and no identity (outputs identical, row for row); a source that cannot be read fails
alone, with one line; lines added to the sources file while it runs are taken up; the command line and the sources
file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the fleet extra (requirements/dev.txt pins ray)")

from ultralytics import YOLO  # noqa: E402
from ultralytics.trackers.eval import mot_line  # noqa: E402
from ultralytics.trackers.fleet import read_sources, track_fleet  # noqa: E402

TRACKER = "botsort_native_reid.yaml"


def alone(model: Path, clip: Path) -> str:
    """MOTChallenge rows of `model.track(clip, persist=True)` with a fresh model: the source tracked alone."""
    rows = []
    results = YOLO(model).track(str(clip), stream=True, persist=True, tracker=TRACKER, verbose=False)
    for frame, r in enumerate(results, 1):
        if r.boxes.is_track:
            boxes = zip(r.boxes.xyxy.tolist(), r.boxes.id.tolist(), r.boxes.conf.tolist())
            rows += [mot_line(frame, i, xyxy, score) for xyxy, i, score in boxes]
    return "".join(rows)


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance for the module (2 CPUs: two workers)."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield
    ray.shutdown()


def test_each_source_tracked_as_alone_and_a_bad_source_fails_alone(local_ray, person_model, pets_clips, tmp_path):
    """Two real clips on two workers: each clip's rows equal tracking it alone; a missing file fails with one line."""
    missing = tmp_path / "missing.mp4"
    summary = track_fleet([*pets_clips, missing], str(person_model), TRACKER, tmp_path / "out", workers=2)
    for clip in pets_clips:
        s = summary["sources"][clip.stem]
        assert s["status"] == "done" and s["frames"] == 20 and s["track_ids"] > 0
        assert (tmp_path / "out" / f"{clip.stem}.txt").read_text() == alone(person_model, clip)
        assert not (tmp_path / "out" / f"{clip.stem}.ckpt").exists()  # a finished source leaves no checkpoint
    bad = summary["sources"]["missing"]
    assert bad["status"] == "failed" and bad["error"] == f"{missing} does not exist"
    assert sorted(w["frames"] for w in summary["workers"]) == [20, 20]  # balanced: one clip each
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == summary


def test_killed_worker_loses_no_frames_and_no_identities(local_ray, person_model, pets_clips, tmp_path):
    """`ray.kill` of a worker mid-run: its sources go on from their checkpoints on a new worker, outputs identical."""
    sources = [pets_clips[0], pets_clips[1], pets_clips[0]]  # worker 0: pets_a and pets_a-2, worker 1: pets_b
    killed = []

    def kill_worker_0(pool, progress):
        if not killed and progress["worker"] == 1 and progress["frame"] >= 5:  # worker 0 is mid-step now
            ray.kill(pool[0])
            killed.append(progress["frame"])

    run = dict(model=str(person_model), tracker=TRACKER, workers=2, step_frames=3)
    got = track_fleet(sources, out=tmp_path / "killed", checkpoint_s=0.2, on_step=kill_worker_0, **run)
    whole = track_fleet(sources, out=tmp_path / "whole", **run)
    assert killed and all(s["restarts"] == 0 for s in whole["sources"].values())
    assert got["sources"]["pets_a"]["restarts"] == 1 and got["sources"]["pets_b"]["restarts"] == 0
    for name in ("pets_a", "pets_b", "pets_a-2"):
        assert got["sources"][name]["status"] == "done" and got["sources"][name]["frames"] == 20
        rows = (tmp_path / "killed" / f"{name}.txt").read_text()
        assert rows == (tmp_path / "whole" / f"{name}.txt").read_text() and rows


def test_lines_added_to_the_sources_file_are_taken_up(local_ray, person_model, pets_clips, tmp_path):
    """`watch`: a source appended to the sources file while the run goes on is tracked, by the idle worker."""
    listing = tmp_path / "sources.txt"
    listing.write_text(f"{pets_clips[0]}\n")
    added = []

    def add_line(pool, progress):
        if not added:
            with open(listing, "a") as f:
                f.write(f"{pets_clips[1]}\n")
            added.append(progress["frame"])

    summary = track_fleet(
        listing, str(person_model), TRACKER, tmp_path / "out", workers=2, watch=True, step_frames=5, on_step=add_line
    )
    assert {n: s["status"] for n, s in summary["sources"].items()} == {"pets_a": "done", "pets_b": "done"}
    assert summary["sources"]["pets_b"]["worker"] == 1
    assert (tmp_path / "out" / "pets_b.txt").read_text() == alone(person_model, pets_clips[1])


def test_sources_file_and_command_line(person_model, pets_clips, tmp_path):
    """A sources file (relative paths, comments, the same clip twice) and the command's one-line errors."""
    listing = tmp_path / "sources.txt"
    listing.write_text(f"# cameras\n{pets_clips[0]}\n\n{pets_clips[0]}\nfolder/\n")
    assert [(s.name, Path(s.uri).name) for s in read_sources(listing)] == [
        ("pets_a", "pets_a.avi"),
        ("pets_a-2", "pets_a.avi"),
        ("folder", "folder"),
    ]
    assert read_sources(listing)[2].uri == str(tmp_path / "folder")
    cmd = [sys.executable, "-m", "ultralytics.trackers.fleet"]
    assert "--checkpoint-s" in subprocess.run([*cmd, "--help"], capture_output=True, text=True, check=True).stdout
    bad = [*cmd, "--sources", str(tmp_path / "none.txt"), "--model", str(person_model)]
    r = subprocess.run(bad, capture_output=True, text=True)
    assert r.returncode == 2 and "is not a file" in r.stderr.splitlines()[-1]
    with pytest.raises(ValueError, match="workers >= 1"):
        track_fleet([pets_clips[0]], str(person_model), out=tmp_path / "x", workers=0)
