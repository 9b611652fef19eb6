"""Bad ReID features: defined behaviour, one clear warning or a clear error, never a crash deep in numpy or lap."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ultralytics.engine.results import Boxes
from ultralytics.trackers.config import build_tracker
from ultralytics.trackers.utils.descriptors import color_descriptor

W, H = 640, 480
CONFIGS = {  # every shipped tracker that uses features, with native ReID on
    "botsort_native_reid": ("botsort_native_reid.yaml", {}),
    "botsort": ("botsort.yaml", {"with_reid": True, "model": "auto"}),
    "deepocsort": ("deepocsort.yaml", {"with_reid": True, "model": "auto"}),
    "tracktrack": ("tracktrack.yaml", {"with_reid": True, "model": "auto"}),
}


def make(name: str):
    """A fresh tracker of a shipped config with native ReID."""
    yaml, overrides = CONFIGS[name]
    return build_tracker(yaml, **overrides)


def people(n: int, frame: int) -> Boxes:
    """Detections of `n` people side by side walking right, score 0.9."""
    rows = [[60 + 110 * i + 2 * frame, 150, 110 + 110 * i + 2 * frame, 290, 0.9, 0] for i in range(n)]
    return Boxes(np.asarray(rows, dtype=np.float32), (H, W))


def feats_with(bad: str, n: int, rng) -> object:
    """Unit features (n, 32) with the second row made bad in the named way, or all in another dtype or type."""
    f = rng.normal(size=(n, 32)).astype(np.float32)
    f /= np.linalg.norm(f, axis=1, keepdims=True)
    if bad == "nan":
        f[1, 3] = np.nan
    elif bad == "inf":
        f[1] = np.inf
    elif bad == "zero":
        f[1] = 0
    elif bad == "float16":
        return f.astype(np.float16)
    elif bad == "float64":
        return f.astype(np.float64)
    elif bad == "torch":
        return torch.from_numpy(f)
    return f


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("bad", ["nan", "inf", "zero", "float16", "float64", "torch"])
def test_bad_or_unusual_features_keep_tracking(name, bad, warnings):
    """NaN, inf or all-zero rows are dropped (motion only) with one warning; other dtypes and tensors just work."""
    tracker, rng = make(name), np.random.default_rng(0)
    base = rng.normal(size=(3, 32)).astype(np.float32)
    for frame in range(12):
        f = feats_with(bad, 3, rng) if frame % 2 else base / np.linalg.norm(base, axis=1, keepdims=True)
        out = tracker.update(people(3, frame), None, feats=f)
        assert np.isfinite(out).all()
        assert len(set(out[:, -4].tolist())) == len(out)  # track IDs are unique within the frame
    assert len(out) == 3, f"all three people stay tracked:\n{out}"
    messages = [r.getMessage() for r in warnings if "ReID feature rows" in r.getMessage()]
    assert len(messages) == (1 if bad in {"nan", "inf", "zero"} else 0), messages
    for t in tracker.tracked_stracks:
        if getattr(t, "smooth_feat", None) is not None:
            assert np.isfinite(t.smooth_feat).all()


@pytest.mark.parametrize("name", CONFIGS)
def test_feature_dimension_change_is_a_clear_error_until_reset(name):
    """A model swapped mid-stream (another feature dimension) raises a ValueError naming both; reset() allows it."""
    tracker, rng = make(name), np.random.default_rng(1)
    for frame in range(3):
        tracker.update(people(2, frame), None, feats=rng.normal(size=(2, 32)).astype(np.float32))
    with pytest.raises(ValueError, match="feats have 64 dimensions but this tracker has seen 32-dimensional features"):
        tracker.update(people(2, 3), None, feats=rng.normal(size=(2, 64)).astype(np.float32))
    tracker.reset()
    out = tracker.update(people(2, 0), None, feats=rng.normal(size=(2, 64)).astype(np.float32))
    assert np.isfinite(out).all()


@pytest.mark.parametrize("name", CONFIGS)
def test_feature_count_mismatch_is_a_clear_error(name):
    """Features for the wrong number of detections are refused, never attached to the wrong boxes."""
    tracker = make(name)
    with pytest.raises(ValueError, match="feats has 2 rows but there are 3 detections"):
        tracker.update(people(3, 0), None, feats=np.ones((2, 32), dtype=np.float32))


def detections(rows: list[list[float]], shape=(H, W)) -> Boxes:
    """Detections from xyxy, score, class rows."""
    return Boxes(np.asarray(rows, dtype=np.float32).reshape(-1, 6), shape)


@pytest.mark.parametrize("name", [*CONFIGS, "bytetrack", "ocsort", "fasttrack"])
def test_degenerate_detections_are_defined(name):
    """Zero/negative-size boxes, boxes outside the image, empty frames, many detections, a new image size."""
    yaml, overrides = CONFIGS.get(name, (f"{name}.yaml", {}))
    tracker, rng = build_tracker(yaml, **overrides), np.random.default_rng(2)
    frames = [
        [[50, 50, 50, 120, 0.9, 0], [80, 80, 60, 60, 0.9, 0], [100, 100, 160, 240, 0.9, 0]],  # zero w, negative size
        [[-300, -300, -200, -100, 0.9, 0], [900, 700, 1000, 900, 0.9, 0], [100, 100, 160, 240, 0.9, 0]],  # outside
        [],  # empty frame
    ]
    for rows in frames * 2:
        out = tracker.update(detections(rows), None, feats=rng.normal(size=(len(rows), 32)).astype(np.float32))
        assert np.isfinite(out).all()
        if len(out):  # no tracks: an empty array, as upstream returns
            assert len(set(out[:, -4].tolist())) == len(out)
            assert all(0 <= i < len(rows) for i in out[:, -1].astype(int))  # every output points at a real detection
    xy = rng.uniform(0, 600, size=(3000, 2))
    many = np.concatenate(
        [xy, xy + rng.uniform(10, 60, size=(3000, 2)), np.full((3000, 1), 0.9), np.zeros((3000, 1))], 1
    )
    out = tracker.update(detections(many.tolist()), None, feats=rng.normal(size=(3000, 32)).astype(np.float32))
    assert np.isfinite(out).all()
    big = (1080, 1920)  # the image size changes mid-stream
    out = tracker.update(detections([[1500, 800, 1560, 960, 0.9, 0]], big), None, feats=np.ones((1, 32), np.float32))
    assert np.isfinite(out).all()


# ---------------------------------------------------------------------------------------------------------------------
# Boxes the colour descriptor samples


def test_color_descriptor_rows_do_not_depend_on_the_other_boxes():
    """Each box's colour is the same among 1100 boxes as alone, a unit vector; no boxes, no rows; 1 channel: error.

    The boxes include ones past the input's edges and zero-size ones; 1100 is more than one OpenCV call samples.
    """
    rng = np.random.default_rng(0)
    img = torch.rand(1, 3, 256, 320, generator=torch.Generator().manual_seed(0))
    xy = rng.uniform(-40, 300, (1100, 2))
    boxes = torch.tensor(np.hstack([xy, xy + rng.uniform(0, 80, (1100, 2))]), dtype=torch.float32)
    feats = color_descriptor(img, boxes)
    assert feats.shape == (1100, 256) and torch.isfinite(feats).all()
    torch.testing.assert_close(feats.norm(dim=1), torch.ones(1100))
    for i in (0, 1, 1021, 1022, 1099):
        torch.testing.assert_close(feats[i], color_descriptor(img, boxes[i : i + 1])[0])
    assert color_descriptor(img, torch.zeros(0, 4)).shape == (0, 256)
    with pytest.raises(ValueError, match="3-channel"):  # e.g. a grayscale model (channels=1)
        color_descriptor(img[:, :1], boxes)
