# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""The box a BoT-SORT track reports with `aspect_smoothing_s`: its detections' aspect ratio, smoothed over time."""

from __future__ import annotations

import numpy as np
import pytest

from ultralytics.engine.results import Boxes
from ultralytics.trackers.config import TrackerConfigError, build_tracker, load

W, H = 640, 480
HEIGHT = 120
SMOOTH = {"aspect_smoothing_s": 0.35}  # opt-in: the shipped YAMLs report the Kalman filter's box (0)


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

    With `aspect_smoothing_s: 0` (the default; upstream's box: the Kalman filter's, which follows each detection's width
    closely) the reported width jumps with the detections.
    """
    widths = [40.0 if f % 2 else 60.0 for f in range(90)]
    steady = reported_widths(load("botsort_native_reid.yaml", {"reid": reid, **SMOOTH}), widths, fps=30)[30:]
    kalman = reported_widths(load("botsort_native_reid.yaml", {"reid": reid}), widths, fps=30)[30:]
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
    reported = reported_widths(load("botsort_native_reid.yaml", SMOOTH), widths, fps)
    assert abs(reported[fps - 1] - 50) < 1
    assert abs(reported[2 * fps] - 80) < 3


def test_aspect_smoothing_s_must_not_be_negative():
    """A negative time constant is refused with one line naming the key, before any tracking."""
    with pytest.raises(TrackerConfigError, match="aspect_smoothing_s"):
        load("botsort_native_reid.yaml", {"aspect_smoothing_s": -1})
