# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""What a BoT-SORT track reports: its detections' aspect ratio smoothed over time, and nothing when held by weak boxes.

`aspect_smoothing_s` smooths the reported box's width; `low_score_hide_s` stops reporting a track that only low-score
detections have matched for longer than that.
"""

from __future__ import annotations

import numpy as np
import pytest

from ultralytics.engine.results import Boxes
from ultralytics.trackers.config import TrackerConfigError, build_tracker, load

W, H = 640, 480
HEIGHT = 120
KALMAN = {"aspect_smoothing_s": 0}  # the Kalman filter's box, as upstream (botsort_native_reid.yaml smooths: 0.35 s)


def reported_widths(cfg, widths: list[float], fps: float) -> np.ndarray:
    """Track one person walking right whose detected box has the given widths, frame by frame (height 120 px).

    Returns the width of the box the tracker reports for them in each frame (NaN where it reports none).
    """
    cfg.frame_rate = fps
    tracker = build_tracker(cfg)
    out = np.full(len(widths), np.nan)
    for f, w in enumerate(widths):
        x, y = 100 + 60 * f / fps, 240  # 0.5 box heights per second
        box = np.array([[x - w / 2, y - HEIGHT / 2, x + w / 2, y + HEIGHT / 2, 0.9, 0]], np.float32)
        rows = tracker.update(Boxes(box, (H, W)), None, feats=np.ones((1, 16), np.float32) / 4)
        if len(rows):
            out[f] = rows[0][2] - rows[0][0]
    return out


@pytest.mark.parametrize("reid", ["native", "off"])
def test_a_jittering_detection_width_is_reported_steady(reid):
    """A person whose detected width jumps between 40 and 60 px every frame is reported about 50 px wide, steadily.

    So it is with the shipped `botsort_native_reid.yaml` (`aspect_smoothing_s: 0.35`); with `aspect_smoothing_s: 0`
    (upstream's box: the Kalman filter's, which follows each detection's width closely) the reported width jumps with
    the detections.
    """
    widths = [40.0 if f % 2 else 60.0 for f in range(90)]
    steady = reported_widths(load("botsort_native_reid.yaml", {"reid": reid}), widths, fps=30)[30:]
    kalman = reported_widths(load("botsort_native_reid.yaml", {"reid": reid, **KALMAN}), widths, fps=30)[30:]
    assert np.abs(np.diff(steady)).max() < 3 and abs(steady.mean() - 50) < 2
    assert np.abs(np.diff(kalman)).mean() > 2 * np.abs(np.diff(steady)).mean()


@pytest.mark.parametrize("fps", [7, 30])
def test_a_real_change_of_width_is_followed_in_a_second_at_any_frame_rate(fps):
    """A person who turns side-on (detected 50 px wide, then 80 px from 1 s on) is reported about 80 px wide 1 s later.

    `aspect_smoothing_s` is a time constant in seconds, so the same at any frame rate: after 0.35 s a third of the
    change remains to come (e^-1), after a second almost none.
    """
    n = 2 * fps + 1
    widths = [50.0 if f < fps else 80.0 for f in range(n)]
    reported = reported_widths(load("botsort_native_reid.yaml"), widths, fps)
    assert abs(reported[fps - 1] - 50) < 1
    assert abs(reported[2 * fps] - 80) < 3


def test_aspect_smoothing_s_must_not_be_negative():
    """A negative time constant is refused with one line naming the key, before any tracking."""
    with pytest.raises(TrackerConfigError, match="aspect_smoothing_s"):
        load("botsort_native_reid.yaml", {"aspect_smoothing_s": -1})


def reported_ids(cfg, scores: list[float], fps: float) -> list[int | None]:
    """Track one box that stays put (a reflection, a sign) detected with the given scores, frame by frame.

    Returns the track ID the tracker reports for it in each frame (None where it reports none).
    """
    cfg.frame_rate = fps
    tracker = build_tracker(cfg)
    ids = []
    for f, score in enumerate(scores):
        w = 50 + 2 * (f % 3)  # a detector's box jitters a little
        box = np.array([[300 - w / 2, 180, 300 + w / 2, 300, score, 0]], np.float32)
        rows = tracker.update(Boxes(box, (H, W)), None, feats=np.ones((1, 16), np.float32) / 4)
        ids.append(int(rows[0][4]) if len(rows) else None)
    return ids


@pytest.mark.parametrize("fps", [7, 30])
@pytest.mark.parametrize("reid", ["native", "off"])
def test_a_track_held_only_by_low_score_detections_is_hidden_after_a_second_and_back_with_its_id(fps, reid):
    """A box detected at 0.7 for 1 s, then at 0.2 (ByteTrack's second association keeps its track) for 3 s, then at 0.7.

    With the shipped YAML (`low_score_hide_s: 1`) the track is reported through the first second of low scores, then not
    (it is still tracked), and reported again with the same ID at the first high score; the same in seconds at 7 and 30
    fps. With `low_score_hide_s: 0` (upstream) it is reported in every frame.
    """
    scores = [0.7] * fps + [0.2] * (3 * fps) + [0.7] * fps
    ids = reported_ids(load("botsort_native_reid.yaml", {"reid": reid}), scores, fps)
    first = ids[0]
    assert first is not None
    assert ids[: 2 * fps] == [first] * (2 * fps)  # high for 1 s, then low for 1 s: reported
    assert ids[2 * fps : 4 * fps] == [None] * (2 * fps)  # low for more than 1 s: hidden
    assert ids[4 * fps :] == [first] * fps  # a high score again: the same track, reported
    always = reported_ids(load("botsort_native_reid.yaml", {"reid": reid, "low_score_hide_s": 0}), scores, fps)
    assert always == [first] * len(scores)


def test_low_score_hide_s_must_not_be_negative():
    """A negative time is refused with one line naming the key, before any tracking."""
    with pytest.raises(TrackerConfigError, match="low_score_hide_s"):
        load("botsort_native_reid.yaml", {"low_score_hide_s": -1})
