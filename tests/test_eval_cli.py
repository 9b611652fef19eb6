"""The benchmark's command line as a user meets it: help for every option, and `prepare` with good and bad input."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

COMMANDS = ("prepare", "cache", "auc", "run", "tune", "e2e", "latency")


def bench(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m ultralytics.trackers.eval` as a user would."""
    cmd = [sys.executable, "-m", "ultralytics.trackers.eval", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def clip(tmp_path: Path) -> tuple[Path, Path]:
    """A 6-frame 10 fps video and a ground truth for it."""
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(6):
        writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
    writer.release()
    gt = tmp_path / "seq" / "gt" / "gt.txt"
    gt.parent.mkdir(parents=True)
    gt.write_text("".join(f"{f},1,10,10,20,30,1,1,1\n" for f in range(1, 7)))
    return video, gt


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_shows_its_default(command: str):
    """Each sub-command's --help explains every option, and each option with a default shows it."""
    r = bench(command, "--help")
    assert r.returncode == 0, r.stderr
    options = re.findall(r"^  (--[a-z-]+)(.*(?:\n {6,}.*)*)", r.stdout.split("options:", 1)[1], re.M)
    assert len(options) >= 4
    for name, text in options:
        words = re.sub(r"^ [A-Z_\[\] .]*", "", text).strip()  # drop the metavar
        assert len(words.split()) >= 3, f"{command} {name} has no help text"
        assert "(default: None)" not in " ".join(text.split())
    shown = " ".join(r.stdout.split())
    for default in {"cache": ["(default: 640)", "(default: 0.1)", "(default: runs/eval/cache)"]}.get(command, []):
        assert default in shown


def read_rate(seq: Path) -> float:
    """The frameRate prepare wrote."""
    return float(re.search(r"^frameRate=(.+)$", (seq / "seqinfo.ini").read_text(), re.M)[1])


def test_prepare_takes_the_rate_from_fps_then_seqinfo_then_the_video_loudly(clip, tmp_path: Path):
    """--fps wins; else the seqinfo.ini beside the gt (MOTChallenge layout); else the video header, with a warning."""
    video, gt = clip
    r = bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "A", "--out", str(tmp_path / "out"))
    assert r.returncode == 0 and read_rate(tmp_path / "out/A") == 10
    assert "pass --fps" in r.stdout + r.stderr  # the video header's rate is said loudly (a logger warning)
    (gt.parent.parent / "seqinfo.ini").write_text("[Sequence]\nname=seq\nframeRate=7\n")
    r = bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "B", "--out", str(tmp_path / "out"))
    assert r.returncode == 0 and read_rate(tmp_path / "out/B") == 7
    assert "says 10 fps; using 7 fps from the seqinfo.ini" in r.stdout + r.stderr
    r = bench(
        "prepare", "--video", str(video), "--gt", str(gt), "--name", "C", "--out", str(tmp_path / "out"), "--fps", "25"
    )
    assert r.returncode == 0 and read_rate(tmp_path / "out/C") == 25


@pytest.mark.parametrize(
    ("video", "gt", "fps", "error"),
    [
        ("missing.avi", None, None, "video {video} not found"),
        ("junk.avi", None, None, "cannot read video {video}"),
        (None, "missing.txt", None, "ground truth {gt} not found"),
        (None, None, "0", "--fps must be positive"),
    ],
)
def test_prepare_fails_clearly_and_writes_nothing(clip, tmp_path: Path, video, gt, fps, error: str):
    """A missing or unreadable video, a missing gt or a bad --fps: one error line, exit 2, no sequence folder."""
    good_video, good_gt = clip
    video = tmp_path / video if video else good_video
    gt = tmp_path / gt if gt else good_gt
    (tmp_path / "junk.avi").write_text("not a video")
    out = tmp_path / "out"
    args = ["prepare", "--video", str(video), "--gt", str(gt), "--name", "X", "--out", str(out)]
    r = bench(*args, *(["--fps", fps] if fps else []))
    assert r.returncode == 2
    assert error.format(video=video, gt=gt) in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_ground_truth_in_no_layout_is_refused_before_anything_runs(clip, tmp_path: Path):
    """For a gt TrackEval cannot score, prepare writes nothing and run detects nothing: one line, exit 2."""
    video, gt = clip
    gt.write_text("".join(f"{f},1,10,10,20,30,1,1\n" for f in range(1, 7)))  # 8 columns: no MOTChallenge layout
    r = bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "X", "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "has 8 columns; MOTChallenge layouts have 6:" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()
    gt.write_text("".join(f"{f},1,10,10,20,30,1\n" for f in range(1, 7)))  # 7 columns (frame,id,box,conf): read
    r = bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "X", "--out", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    (tmp_path / "out/X/gt/gt.txt").write_text("1,1,10,10,20\n")
    cache = tmp_path / "cache"
    args = ["--model", str(tmp_path / "never-loaded.pt"), "--seqs", str(tmp_path / "out/X"), "--cache", str(cache)]
    r = bench("run", *args, "--trackers", "bytetrack.yaml", "--out", str(tmp_path / "eval"))
    assert r.returncode == 2 and "has 5 columns" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not cache.exists()


@pytest.mark.parametrize("beta", ["1.5", "-0.1", "x", "nan"])
def test_oracle_appearance_outside_0_to_1_is_refused_before_anything_runs(clip, tmp_path: Path, beta: str):
    """A weight of the ground-truth identity outside [0, 1] is one line and exit 2, before any cache is built."""
    cache = tmp_path / "cache"
    args = ["--model", str(tmp_path / "never-loaded.pt"), "--seqs", str(clip[1].parents[1]), "--cache", str(cache)]
    args += ["--trackers", "bytetrack.yaml", "--out", str(tmp_path / "eval"), "--oracle-appearance", beta]
    r = bench("run", *args)
    assert r.returncode == 2 and f"needs a number from 0 to 1, got '{beta}'" in r.stderr
    assert "Traceback" not in r.stderr and not cache.exists() and not (tmp_path / "eval").exists()


@pytest.mark.parametrize("n", ["1", "0", "x", "2.5"])
def test_clips_of_fewer_than_two_frames_are_refused_before_anything_runs(clip, tmp_path: Path, n: str):
    """``--clips`` takes a whole number of frames, at least 2: anything else is one line and exit 2, nothing built."""
    cache = tmp_path / "cache"
    args = ["--model", str(tmp_path / "never-loaded.pt"), "--seqs", str(clip[1].parents[1]), "--cache", str(cache)]
    for command in (["run", "--trackers", "bytetrack.yaml"], ["tune", "--tracker", "bytetrack.yaml", "--grid", "a=1"]):
        r = bench(*command, *args, "--out", str(tmp_path / "eval"), "--clips", n)
        assert r.returncode == 2 and f"needs a whole number of frames, at least 2, got '{n}'" in r.stderr
        assert "Traceback" not in r.stderr and not cache.exists() and not (tmp_path / "eval").exists()


def test_variants_are_the_same_sequence_from_other_encodings(clip, tmp_path: Path):
    """H.264 at another CRF, JPEG frames and resized frames: same frames and rate, gt scaled, grouped by sequence."""
    from ultralytics.trackers.sequences import Sequence, read_gt

    video, gt = clip
    assert (
        bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "A", "--out", str(tmp_path)).returncode == 0
    )
    r = bench(
        "variants", "--seqs", str(tmp_path / "A"), "--kinds", "crf28", "jpeg75", "scale0.5", "--out", str(tmp_path)
    )
    assert r.returncode == 0, r.stderr
    for kind, size in (("crf28", (48, 64)), ("jpeg75", (48, 64)), ("scale0.5", (24, 32))):
        seq = Sequence(tmp_path / f"A-{kind}")
        frames = list(seq.frames())
        assert (seq.name, seq.base, seq.variant, seq.fps) == (f"A-{kind}", "A", kind, 10)
        assert len(frames) == seq.length == 6 and all(f.shape[:2] == size for f in frames)
        assert np.allclose(read_gt(seq.gt)[0][:, 2:6], read_gt(gt)[0][:, 2:6] * (0.5 if kind == "scale0.5" else 1))
    assert Sequence(tmp_path / "A").variant == "as shipped"
    r = bench("variants", "--seqs", str(tmp_path / "A"), "--kinds", "crf99", "--out", str(tmp_path))
    assert r.returncode == 2 and "out of range" in r.stderr
    assert "--kinds" in bench("variants", "--help").stdout


def test_frame_rate_variants_keep_every_nth_frame_and_its_ground_truth(clip, tmp_path: Path):
    """Frame-rate variants (everyN, everyNoK): every N-th frame of a video or image folder, gt renumbered."""
    from ultralytics.trackers.sequences import Sequence, read_gt

    video, gt = clip
    gt.write_text("".join(f"{f},1,{f},10,20,30,1,1,1\n" for f in range(1, 7)))  # x tells the original frame
    assert (
        bench("prepare", "--video", str(video), "--gt", str(gt), "--name", "A", "--out", str(tmp_path)).returncode == 0
    )
    kinds = ("every2", "every2o1", "every4o3", "jpeg90")
    assert bench("variants", "--seqs", str(tmp_path / "A"), "--kinds", *kinds, "--out", str(tmp_path)).returncode == 0
    r = bench("variants", "--seqs", str(tmp_path / "A-jpeg90"), "--kinds", "every3o2", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    for name, variant, step, originals in (
        ("A-every2", "every2", 2, [1, 3, 5]),
        ("A-every2o1", "every2o1", 2, [2, 4, 6]),
        ("A-every4o3", "every4o3", 4, [4]),
        ("A-jpeg90-every3o2", "jpeg90-every3o2", 3, [3, 6]),
    ):
        seq = Sequence(tmp_path / name)
        frames = list(seq.frames())
        assert (seq.name, seq.base, seq.variant) == (name, "A", variant)
        assert seq.length == len(frames) == len(originals) and seq.fps == pytest.approx(10 / step, rel=1e-5)
        assert [round(f.mean() / 40) + 1 for f in frames] == originals  # frame i of the clip is grey 40 * (i - 1)
        rows = read_gt(seq.gt)[0]
        assert rows[:, 0].tolist() == list(range(1, len(originals) + 1)) and rows[:, 2].tolist() == originals
    jpeg = sorted((tmp_path / "A-jpeg90" / "img1").iterdir())
    sub = sorted((tmp_path / "A-jpeg90-every3o2" / "img1").iterdir())
    assert [p.read_bytes() for p in sub] == [jpeg[2].read_bytes(), jpeg[5].read_bytes()]  # image files copied as is
    for bad in ("every1", "every3o3", "every0"):
        r = bench("variants", "--seqs", str(tmp_path / "A"), "--kinds", bad, "--out", str(tmp_path))
        assert r.returncode == 2 and "out of range" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "A-every1").exists()
