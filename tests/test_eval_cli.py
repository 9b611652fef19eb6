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
