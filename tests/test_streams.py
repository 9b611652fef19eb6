"""Many streams: one tracker and one feature state per stream, no ID leakage, persist and reset as upstream documents.

Real runs: the offline person detector on two real PETS09-S2L1 clips, tracked with native ReID
(`botsort_native_reid.yaml`) together in stream mode, one after the other from a folder, and each on its own.
"""

from __future__ import annotations

import cv2
import pytest

from conftest import assert_same_tracks, clip_tracks, tracks_of
from ultralytics import YOLO

FRAMES = 20
ARGS = {"conf": 0.1, "imgsz": 640, "verbose": False}


@pytest.fixture(scope="module", autouse=True)
def native_tracker(native_low_yaml) -> None:
    """Track with native ReID, starting tracks from score 0.3 (several people in every clip)."""
    ARGS["tracker"] = str(native_low_yaml)


@pytest.fixture(scope="module")
def alone(person_model, pets_clips) -> list[list]:
    """Each clip tracked on its own."""
    model = YOLO(person_model)
    return [clip_tracks(model, c, **ARGS) for c in pets_clips]


def test_streams_keep_one_tracker_and_feature_state_each(person_model, pets_clips, alone, tmp_path):
    """Two videos in stream mode (a `.streams` file) track exactly as each does alone: nothing leaks across streams."""
    sources = tmp_path / "two.streams"
    sources.write_text("\n".join(str(c) for c in pets_clips))
    model = YOLO(person_model)
    results = list(model.track(str(sources), stream=True, stream_buffer=True, **ARGS))
    per_stream = tracks_of(results)
    assert len(per_stream) == 2 and len(results) == 2 * FRAMES
    for got, want in zip(per_stream.values(), alone):
        assert len({i for _, i, _ in want}) >= 4  # several people in every clip
        assert_same_tracks(got, want)
    trackers = model.predictor.trackers
    assert len(trackers) == 2 and trackers[0] is not trackers[1]
    for t in trackers:  # each stream carries its own native features
        assert t.args.reid == "native" and all(s.smooth_feat is not None for s in t.tracked_stracks)


def test_new_video_resets_the_tracker_unless_persist(person_model, pets_clips, alone):
    """A folder of videos is tracked one after another; each new video starts from a fresh tracker (IDs from 1).

    With `persist=True` the tracker keeps its state across the switch (upstream's documented meaning), so the second
    video continues the first one's IDs instead of restarting them.
    """
    model = YOLO(person_model)
    sequential = list(tracks_of(model.track(str(pets_clips[0].parent), **ARGS)).values())
    assert len(sequential) == 2
    for got, want in zip(sequential, alone):
        assert_same_tracks(got, want)

    model = YOLO(person_model)
    kept = list(tracks_of(model.track(str(pets_clips[0].parent), persist=True, **ARGS)).values())
    assert_same_tracks(kept[0], alone[0])
    first_ids = {i for _, i, _ in kept[0]}
    assert min(i for _, i, _ in kept[1]) > min(first_ids)  # IDs continue: the tracker was not reset
    assert len(model.predictor.trackers) == 1


def test_persist_across_calls_continues_and_a_new_call_restarts(person_model, pets_clips, alone, tmp_path):
    """Frame-by-frame `model.track(frame, persist=True)` equals tracking the video; a call without persist restarts.

    Frames given one at a time carry no frame rate, so the config names the clip's (7 fps), as the tracker takes it from
    the video; the config's times in seconds (lifetimes, the reported box's smoothing) then mean the same.
    """
    from ultralytics.utils import YAML

    at_7fps = tmp_path / "native_low_7fps.yaml"
    YAML.save(at_7fps, {**YAML.load(ARGS["tracker"]), "frame_rate": 7})
    model = YOLO(person_model)
    cap = cv2.VideoCapture(str(pets_clips[0]))
    rows = []
    for frame in range(1, FRAMES + 1):
        r = model.track(cap.read()[1], persist=True, **{**ARGS, "tracker": str(at_7fps)})[0]
        if r.boxes.is_track:
            rows.extend((frame, int(i), b) for i, b in zip(r.boxes.id.int().tolist(), r.boxes.xyxy.cpu().numpy()))
    assert_same_tracks(rows, alone[0])

    again = clip_tracks(model, pets_clips[1], **ARGS)
    assert_same_tracks(again, alone[1])  # persist=False: a fresh tracker, IDs from 1
