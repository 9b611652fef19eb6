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

import numpy as np
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

    run = dict(model=str(person_model), tracker=TRACKER, workers=2, step_frames=3, video=True, identities=True)
    got = track_fleet(sources, out=tmp_path / "killed", checkpoint_s=0.2, on_step=kill_worker_0, **run)
    whole = track_fleet(sources, out=tmp_path / "whole", **run)
    assert killed and all(s["restarts"] == 0 for s in whole["sources"].values())
    assert got["sources"]["pets_a"]["restarts"] == 1 and got["sources"]["pets_b"]["restarts"] == 0
    for name in ("pets_a", "pets_b", "pets_a-2"):
        assert got["sources"][name]["status"] == "done" and got["sources"][name]["frames"] == 20
        for suffix in (".txt", ".mp4", "-identities.jpg"):  # the drawings come from the final rows: identical too
            data = (tmp_path / "killed" / f"{name}{suffix}").read_bytes()
            assert data == (tmp_path / "whole" / f"{name}{suffix}").read_bytes() and data


@pytest.fixture
def live_stream():
    """A live MJPEG stream over HTTP on localhost: PETS09-S2L1's frames at 2.5 per second of wall clock, for 32 s.

    Like a camera, a client that connects (or reconnects) gets the frame of the moment, not the first one. The rate is
    low enough that the frames a worker's restart skips (a few seconds' worth) leave people near where they were.
    """
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import cv2

    import assets

    cap = cv2.VideoCapture(str(assets.pets09_clip()))
    frames = [cv2.imencode(".jpg", cap.read()[1])[1].tobytes() for _ in range(80)]
    start = time.monotonic()

    class Camera(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            sent = -1
            try:
                while (now := int((time.monotonic() - start) * 2.5)) < len(frames):
                    if now != sent:
                        jpg, sent = frames[now], now
                        head = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpg)}\r\n\r\n"
                        self.wfile.write(head.encode() + jpg + b"\r\n")
                    time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Camera)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/live.mjpg"
    server.shutdown()


def test_live_stream_goes_on_with_its_identities_after_its_worker_died(local_ray, person_model, live_stream, tmp_path):
    """A stream is tracked live; when its worker dies, a new one goes on at the current frame with its tracker."""
    killed = []

    def kill(pool, progress):
        if not killed and progress["frame"] >= 16:  # the tracker has run at the stream's rate for a while
            ray.kill(pool[0])
            killed.append(progress["frame"])

    summary = track_fleet(
        [live_stream], str(person_model), TRACKER, tmp_path, workers=1, step_frames=4, checkpoint_s=0.01, on_step=kill
    )
    s = summary["sources"]["live"]
    assert s["status"] == "done" and s["restarts"] == 1 and killed
    rows = [[int(float(v)) for v in row.split(",")[:2]] for row in (tmp_path / "live.txt").read_text().split()]
    frames = [f for f, _ in rows]
    assert frames == sorted(frames) and max(frames) == s["frames"] > killed[0]  # numbered on from the checkpoint
    assert s["missed"] > 0 and min(f for f in frames if f > killed[0]) > killed[0] + s["missed"]  # those meanwhile
    before = {i for f, i in rows if f <= killed[0]}  # the checkpoint was written at that frame
    after = {i for f, i in rows if f > killed[0]}
    assert before & after  # people still in view keep their track IDs
    assert min(after - before, default=max(before) + 1) > max(before)  # new people get new IDs, not 1, 2, ... again


def test_a_resumed_stream_ages_its_tracks_by_the_frames_it_missed():
    """A tracker resumed after a gap lives through it: a walking person keeps the ID, the lifetime still ends."""
    from ray import cloudpickle

    from ultralytics.engine.results import Boxes
    from ultralytics.trackers.config import build_tracker
    from ultralytics.trackers.fleet import advance

    feat = np.random.default_rng(0).random((1, 32), dtype=np.float32)
    img = np.zeros((480, 640, 3), np.uint8)

    def person(x: float) -> Boxes:
        return Boxes(np.array([[x, 100, x + 40, 200, 0.9, 0]], np.float32), img.shape[:2]).numpy()

    tracker = build_tracker(TRACKER, frame_rate=10)
    for t in range(20):  # walking right at 6 px per frame
        out = tracker.update(person(50 + 6 * t), img, feats=feat)
    assert [int(row[4]) for row in out] == [1]
    checkpoint = cloudpickle.dumps(tracker)

    def resumed(missed: int, x: float, frames: int = 1) -> tuple[list, object]:
        tracker = cloudpickle.loads(checkpoint)
        advance(tracker, missed)
        for _ in range(frames):
            out = tracker.update(person(x), img, feats=feat)
        return [int(row[4]) for row in out], tracker

    gone = 50 + 6 * (19 + 16)  # where the person is after the 15 frames (1.5 s) a restart missed
    ids, tracker = resumed(15, gone)
    assert ids == [1] and tracker.frame_id == 20 + 15 + 1
    assert resumed(0, gone)[0] == []  # counted as one frame: too far to match, a new track not yet confirmed
    ids, tracker = resumed(60, 50 + 6 * (19 + 61))  # 6 s: past the 5 s lifetime, but lost inside the frame (7.5 s)
    assert ids == [1]
    ids, tracker = resumed(1000, 50 + 6 * 19, frames=2)  # far past the 5 s lifetime, someone where the person was
    assert ids == [2] and tracker.frame_id == 20 + 1000 + 2 and not tracker.lost_stracks


def test_sources_batched_through_the_model_are_tracked_as_alone(local_ray, person_model, pets_clips, tmp_path):
    """`batch=3` on one worker: the two clips of one size go through the model together, the smaller one alone.

    Each keeps its own tracker: its rows are those of tracking it alone (batched inference may move a box in the last
    bits, so numbers are compared to the rows' precision).
    """
    import cv2

    small = tmp_path / "pets_small.avi"
    cap, writer = cv2.VideoCapture(str(pets_clips[1])), None
    while (frame := cap.read()[1]) is not None:
        frame = cv2.resize(frame, (512, 384))
        writer = writer or cv2.VideoWriter(str(small), cv2.VideoWriter_fourcc(*"MJPG"), 7, frame.shape[1::-1])
        writer.write(frame)
    writer.release()
    summary = track_fleet([*pets_clips, small], str(person_model), TRACKER, tmp_path / "out", workers=1, batch=3)
    assert summary["workers"][0]["frames"] == 60 and all(s["status"] == "done" for s in summary["sources"].values())
    assert (tmp_path / "out" / "pets_small.txt").read_text() == alone(person_model, small)
    for clip in pets_clips:
        got, want = ((tmp_path / "out" / f"{clip.stem}.txt").read_text(), alone(person_model, clip))
        got, want = ([[float(v) for v in row.split(",")] for row in rows.split()] for rows in (got, want))
        assert len(got) == len(want) > 0
        assert all(g[:2] == w[:2] and np.allclose(g[2:], w[2:], atol=0.02) for g, w in zip(got, want))


def test_ended_sources_are_drawn_by_track_id(local_ray, person_model, pets_clips, tmp_path):
    """`video`/`identities`: every frame of a clip with its tracked boxes, and a sheet with one row per track ID."""
    import cv2

    from ultralytics.trackers.render import IdentitySheet, rows_by_frame

    summary = track_fleet(pets_clips[:1], str(person_model), TRACKER, tmp_path, workers=1, video=True, identities=True)
    s = summary["sources"]["pets_a"]
    assert s["video"] == str(tmp_path / "pets_a.mp4") and s["sheet"] == str(tmp_path / "pets_a-identities.jpg")
    drawn, clip = cv2.VideoCapture(s["video"]), cv2.VideoCapture(str(pets_clips[0]))
    assert drawn.get(cv2.CAP_PROP_FRAME_COUNT) == 20 and drawn.get(cv2.CAP_PROP_FPS) == clip.get(cv2.CAP_PROP_FPS)
    rows, sheet, checked = rows_by_frame(tmp_path / "pets_a.txt"), IdentitySheet(clip.get(cv2.CAP_PROP_FPS)), 0
    for n in range(1, 21):
        frame, (ok, shown) = clip.read()[1], drawn.read()
        assert ok and shown.shape == frame.shape
        boxes, ids = rows.get(n, ([], []))
        sheet.add(n, frame, boxes, ids)
        for x1, y1, x2, _ in (np.array(boxes) + 0.5).astype(int):  # each tracked box is drawn where its row puts it
            checked += np.abs(shown[max(y1, 0), x1:x2].astype(int) - frame[max(y1, 0), x1:x2]).mean() > 40
    assert checked >= 0.9 * sum(len(r[1]) for r in rows.values()) > 0
    seen = {}
    for n, (_, ids) in rows.items():
        for i in ids:
            seen.setdefault(i, []).append(n)
    image, counts = sheet.image()
    assert counts["shown"] == sum(max(f) - min(f) >= 2 for f in seen.values()) >= 1  # one row per track ID
    assert cv2.imread(s["sheet"]).shape == image.shape


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
