"""The batched tracker core: one array operation over all tracks gives what the per-track code gives, bit for bit.

ByteTrack and BoT-SORT (every tracker whose tracks take a precomputed Kalman state) correct the Kalman states of an
association stage's matches in one `multi_update` and start the states of new tracks in one `multi_initiate`, and
every tracker built on `STrack` takes the boxes it compares by IoU, and the rows it outputs, from all tracks at once
(`multi_xyxy`), and converts the boxes of a stage's detections to filter coordinates at once (`multi_coords`; patch
`trackers: Kalman steps and IoU boxes of all tracks in one array operation`). BoT-SORT also turns a frame's
detections into tracks at once, their boxes and features normalized in one array operation each (`BOTrack.multi_new`),
and smooths the appearance of an association stage's matched tracks at once (`reid.multi_smooth`; patch `bot_sort: the
detections of a frame become tracks in one array operation`). These tests hold each to the per-track arithmetic it
replaces: the filters' own `update`, `initiate` and (to rounding) `predict`, the tracks' `xyxy`, `convert_coords`,
`result`, constructor and `update_features`, and whole trackers run through upstream's per-track steps; and
`association: reid`'s geometry over all pairs (box coverage, the re-find gate) to each pair's own arithmetic.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ultralytics.engine.results import Boxes
from ultralytics.trackers.bot_sort import BOTrack
from ultralytics.trackers.byte_tracker import BYTETracker, STrack
from ultralytics.trackers.config import build_tracker
from ultralytics.trackers.utils.kalman_filter import KalmanFilterXYAH, KalmanFilterXYWH
from ultralytics.trackers.utils.matching import track_boxes
from ultralytics.trackers.utils.reid import multi_smooth, normalize_features, smooth_feature
from ultralytics.trackers.utils.scene_reid import coverage, path_distance
from ultralytics.trackers.utils.stracks import parse_bboxes


def states(kf, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` predicted states after a few frames of noisy measurements, and the next measurements."""
    means, covs = [], []
    for _ in range(n):
        mean, cov = kf.initiate(rng.uniform([0, 0, 0.2, 40], [1000, 1000, 2, 300]))
        for _ in range(rng.integers(0, 4)):
            mean, cov = kf.predict(mean, cov)
            mean, cov = kf.update(mean, cov, mean[:4] + rng.normal(0, 2, 4))
        mean, cov = kf.predict(mean, cov)
        means.append(mean)
        covs.append(cov)
    return np.asarray(means), np.asarray(covs), np.asarray(means)[:, :4] + rng.normal(0, 3, (n, 4))


@pytest.mark.parametrize("kf", [KalmanFilterXYAH(), KalmanFilterXYWH()], ids=["XYAH", "XYWH"])
@pytest.mark.parametrize("n", [1, 2, 17])
def test_multi_update_and_initiate_are_the_per_track_arithmetic(kf, n):
    """`multi_update` and `multi_initiate` give each row exactly what `update` and `initiate` give it."""
    rng = np.random.default_rng(n)
    mean, cov, z = states(kf, rng, n)
    new_mean, new_cov = kf.multi_update(mean, cov, z)
    for i in range(n):
        m, c = kf.update(mean[i], cov[i], z[i])
        assert np.array_equal(new_mean[i], m) and np.array_equal(new_cov[i], c)
    boxes = z.astype(np.float32)  # detections are float32 boxes
    start_mean, start_cov = kf.multi_initiate(boxes)
    for i in range(n):
        m, c = kf.initiate(boxes[i])
        assert np.array_equal(start_mean[i], m) and np.array_equal(start_cov[i], c) and start_mean.dtype == m.dtype


@pytest.mark.parametrize("kf", [KalmanFilterXYAH(), KalmanFilterXYWH()], ids=["XYAH", "XYWH"])
@pytest.mark.parametrize("n", [1, 2, 17])
def test_multi_predict_is_the_per_track_arithmetic(kf, n):
    """`multi_predict` gives each row what `predict` gives it: the mean exactly, the covariance to rounding.

    Both products with the motion matrix only add pairs of entries; `predict`'s `multi_dot` may add them in another
    order than the stacked matrix products (as upstream's `np.dot` did), so the covariance can differ in the last bit.
    """
    rng = np.random.default_rng(n)
    mean, cov, _ = states(kf, rng, n)
    new_mean, new_cov = kf.multi_predict(mean, cov)
    assert new_cov.flags.c_contiguous
    for i in range(n):
        m, c = kf.predict(mean[i], cov[i])
        assert np.array_equal(new_mean[i], m) and np.allclose(new_cov[i], c, rtol=1e-14, atol=0)


class PerTrack:
    """A tracker that applies matches and starts new tracks one track at a time, as upstream's `BYTETracker` does."""

    def _apply_matches(self, matches, pool, detections, activated, refind) -> None:
        """Update or re-activate each matched track with its own Kalman step."""
        for itracked, idet in matches:
            self._apply_match(pool[itracked], detections[idet], activated, refind)

    def _init_new_tracks(self, u_detection, detections, activated, refind=None) -> None:
        """Start each new track with its own `initiate`."""
        for inew in u_detection:
            track = detections[inew]
            if track.score >= self.args.new_track_thresh:
                track.activate(self.kalman_filter, self.frame_id)
                activated.append(track)

    def _format_output(self) -> np.ndarray:
        """Each output row from its track's own `result`."""
        return np.asarray([x.result for x in self.tracked_stracks if x.is_activated], dtype=np.float32)


class PerTrackBOT(PerTrack):
    """The same for BoT-SORT, whose detections also become tracks one by one."""

    def init_track(self, results, img=None, feats=None) -> list[BOTrack]:
        """Each detection becomes a track by its own constructor call, its feature normalized alone."""
        if len(results) == 0:
            return []
        rows = zip(parse_bboxes(results), results.conf, results.cls, [None] * len(results) if feats is None else feats)
        return [BOTrack(xywh, s, c, f) for xywh, s, c, f in rows]

    def _apply_matches(self, matches, pool, detections, activated, refind) -> None:
        """Each matched track takes its detection's feature in its own `update_features` (none from a covered one)."""
        for itracked, idet in matches:
            if self._scene_reid_on and self.scene_reid.covered(detections[idet]):
                detections[idet].curr_feat = None
            self._apply_match(pool[itracked], detections[idet], activated, refind)


def identical(a, b) -> bool:
    """Same type and value, arrays also the same dtype, shape and bytes."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return bool(a == b)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("dim", [3, 64, 515])
def test_features_normalized_at_once_are_each_normalized_alone(dtype, dim):
    """`normalize_features` gives every row bit for bit what `smooth_feature` gives it alone, zero and NaN rows too."""
    rng = np.random.default_rng(dim)
    feats = (rng.normal(size=(300, dim)) * 10.0 ** rng.uniform(-3, 3, (300, 1))).astype(dtype)
    feats[7] = 0
    feats[8, 1] = np.nan  # an external encoder's features are not screened: NaN stays NaN, as it does alone
    rows, valid = normalize_features(feats)
    for row, ok, feat in zip(rows, valid, feats):
        curr, smooth = smooth_feature(feat, None, 0.9)
        assert ok == (curr is not None)
        assert not ok or (identical(row, curr) and identical(row, smooth))


@pytest.mark.parametrize("n", [1, 2, 40])
def test_features_smoothed_at_once_are_each_smoothed_alone(n):
    """`multi_smooth` gives each track bit for bit what `smooth_feature` gives it alone, each result its own array.

    Tracks without a smoothed feature yet take the new one; a new feature without a norm leaves the track's as it was.
    """
    rng = np.random.default_rng(n)
    feats = (rng.normal(size=(n, 64)) * 10.0 ** rng.uniform(-3, 3, (n, 1))).astype(np.float32)
    smooth = [normalize_features(rng.normal(size=(1, 64)))[0][0] if i % 3 else None for i in range(n)]
    feats[n // 2] = 0
    curr, new = multi_smooth(feats, smooth, 0.9)
    for i in range(n):
        alone = smooth_feature(feats[i], smooth[i], 0.9)
        assert identical(curr[i], alone[0]) and identical(new[i], alone[1])
    arrays = [a for c, f in zip(curr, new) if c is not None for a in (c, f)]
    assert all(a.base is None for a in arrays) and len({id(a) for a in arrays}) == len(arrays)


@pytest.mark.parametrize("n", [1, 2, 40])
def test_tracks_built_at_once_are_the_constructors_tracks(n):
    """`BOTrack.multi_new` gives each detection the attributes `BOTrack(xywh, score, cls, feat)` gives, bit for bit."""
    rng = np.random.default_rng(n)
    xy = rng.uniform(0, 1000, (n, 2))
    boxes = np.hstack([xy, xy + rng.uniform(5, 300, (n, 2)), rng.uniform(0.1, 1, (n, 1)), rng.integers(0, 3, (n, 1))])
    results = Boxes(boxes.astype(np.float32), (1080, 1920))
    feats = rng.normal(size=(n, 32)).astype(np.float32)
    feats[0] = 0  # a feature without a norm leaves the track without appearance, as the constructor does
    bboxes = parse_bboxes(results)
    batched = BOTrack.multi_new(bboxes, results.conf, results.cls, feats)
    alone = [BOTrack(xywh, s, c, f) for xywh, s, c, f in zip(bboxes, results.conf, results.cls, feats)]
    for a, b in zip(batched, alone):
        assert vars(a).keys() == vars(b).keys()
        assert [k for k in vars(b) if not identical(vars(a)[k], vars(b)[k])] == []


@pytest.mark.parametrize("track_class", [STrack, BOTrack])
def test_boxes_converted_at_once_are_each_converted_alone(track_class):
    """`multi_coords` gives every box bit for bit what the track's `convert_coords` gives it alone."""
    rng = np.random.default_rng(0)
    tlwh = np.hstack([rng.uniform(-50, 2000, (200, 2)), rng.uniform(0.5, 500, (200, 2))]).astype(np.float32)
    track = track_class(np.array([10, 10, 4, 8, 0], dtype=np.float32), 0.9, 0)
    rows = track_class.multi_coords(tlwh)
    assert all(identical(row, track.convert_coords(box)) for row, box in zip(rows, tlwh))


def test_measurements_of_a_track_class_that_converts_its_own_way_are_its_own():
    """`_measurements` converts at once only with a `multi_coords` that comes with the class's `convert_coords`.

    A subclass that converts boxes its own way without a `multi_coords` of its own gets its own conversion, box by box,
    not the one it would inherit; STrack and BOTrack get theirs at once, the same bit for bit.
    """

    class OwnCoords(STrack):
        def convert_coords(self, tlwh: np.ndarray) -> np.ndarray:
            return BOTrack.tlwh_to_xywh(tlwh)

    rng = np.random.default_rng(1)
    boxes = np.hstack([rng.uniform(0, 1000, (30, 2)), rng.uniform(5, 300, (30, 2)), np.arange(30)[:, None]])
    for track_class in (OwnCoords, STrack, BOTrack):
        pairs = [(track_class(b.astype(np.float32), 0.9, 0), track_class(b.astype(np.float32), 0.8, 0)) for b in boxes]
        expected = np.asarray([t.convert_coords(d.tlwh) for t, d in pairs])
        assert identical(BYTETracker._measurements(pairs), expected)


@st.composite
def walks(draw) -> list[tuple[np.ndarray, np.ndarray]]:
    """Frames of `(boxes (n, 6) xyxy-score-class, features (n, 8))` of people walking, crossing and missed at times."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_people, n_frames = draw(st.integers(1, 10)), draw(st.integers(2, 25))
    xy = rng.uniform([0, 0], [600, 400], (n_people, 2))
    v = rng.normal(0, 6, (n_people, 2))
    wh = rng.uniform([20, 50], [60, 150], (n_people, 2))
    looks = rng.normal(size=(n_people, 8))
    frames = []
    for f in range(n_frames):
        shown = np.flatnonzero(rng.random(n_people) > 0.2)
        c = xy[shown] + v[shown] * f + rng.normal(0, 2, (len(shown), 2))
        boxes = np.hstack([c - wh[shown] / 2, c + wh[shown] / 2, rng.uniform(0.15, 1, (len(shown), 1))])
        boxes = np.hstack([boxes, np.zeros((len(shown), 1))]).astype(np.float32)
        frames.append((boxes, (looks[shown] + rng.normal(0, 0.3, (len(shown), 8))).astype(np.float32)))
    return frames


@pytest.mark.parametrize("yaml", ["botsort_native_reid.yaml", "botsort.yaml", "bytetrack.yaml", "ocsort.yaml"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames=walks())
def test_batched_tracker_gives_the_per_track_tracks(yaml, frames):
    """A tracker with the batched steps outputs exactly the rows of the same tracker building and updating one by one.

    BoT-SORT and ByteTrack take the batched steps; OC-SORT, whose tracks update their own way, must keep its own.
    """
    overrides = {"with_reid": True, "model": "auto"} if yaml == "botsort.yaml" else {}
    if yaml == "botsort_native_reid.yaml":  # the rows as the tracks give them (what is reported: test_output_boxes.py)
        overrides = {"aspect_smoothing_s": 0, "low_score_hide_s": 0}
    batched = build_tracker(yaml, frame_rate=10, **overrides)
    per_track = build_tracker(yaml, frame_rate=10, **overrides)
    mixin = PerTrackBOT if yaml.startswith("botsort") else PerTrack
    per_track.__class__ = type("PerTrack" + type(per_track).__name__, (mixin, type(per_track)), {})
    for boxes, feats in frames:
        a = batched.update(Boxes(boxes, (480, 640)), None, feats=feats)
        b = per_track.update(Boxes(boxes, (480, 640)), None, feats=feats)
        assert identical(a, b)
    assert [t.track_id for t in batched.lost_stracks] == [t.track_id for t in per_track.lost_stracks]
    for x, y in zip(batched.tracked_stracks + batched.lost_stracks, per_track.tracked_stracks + per_track.lost_stracks):
        assert identical(getattr(x, "smooth_feat", None), getattr(y, "smooth_feat", None))
        assert identical(getattr(x, "curr_feat", None), getattr(y, "curr_feat", None))


@pytest.mark.parametrize("yaml", ["bytetrack.yaml", "botsort_native_reid.yaml", "ocsort.yaml"])
@settings(max_examples=15, deadline=None)
@given(frames=walks())
def test_track_boxes_are_each_tracks_xyxy(yaml, frames):
    """The boxes IoU compares, taken from all tracks at once, are each track's `xyxy`: tracked, lost, detections."""
    tracker = build_tracker(yaml, frame_rate=10)
    for boxes, feats in frames:
        tracker.update(Boxes(boxes, (480, 640)), None, feats=feats)
        detections = tracker.init_track(Boxes(boxes, (480, 640)))
        for tracks in (tracker.tracked_stracks, tracker.lost_stracks, detections, tracker.lost_stracks + detections):
            expected = np.asarray([t.xyxy for t in tracks], dtype=np.float32).reshape(-1, 4)
            assert np.array_equal(np.asarray(track_boxes(tracks), dtype=np.float32).reshape(-1, 4), expected)


@pytest.mark.parametrize("n", [1, 2, 13, 60])
def test_reid_geometry_over_all_pairs_is_each_pairs(n):
    """`coverage` and the re-find gate's `path_distance`, over all pairs at once, give each pair's own arithmetic."""
    rng = np.random.default_rng(n)
    xywh = np.hstack([rng.uniform(0, 600, (n, 2)), rng.uniform(5, 150, (n, 2))]).astype(np.float32)
    lo, hi = xywh[:, :2] - xywh[:, 2:4] / 2, xywh[:, :2] + xywh[:, 2:4] / 2
    for i, covered in enumerate(coverage(xywh)):
        inter = [
            max(min(hi[i, 0], hi[j, 0]) - max(lo[i, 0], lo[j, 0]), 0)
            * max(min(hi[i, 1], hi[j, 1]) - max(lo[i, 1], lo[j, 1]), 0)
            for j in range(n)
            if j != i
        ]
        assert covered == (max(inter) / max(xywh[i, 2] * xywh[i, 3], 1e-9) if inter else 0)
    a, b, points = (rng.uniform(0, 600, (n, 2)).astype(np.float32) for _ in range(3))
    b[::3] = a[::3]  # a track that has not moved: its path is a point
    dist = path_distance(a, b, points)
    for i in range(n):
        ab = b[i] - a[i]
        for j in range(n):
            ap = points[j] - a[i]
            t = np.clip((ap[0] * ab[0] + ap[1] * ab[1]) / max(ab[0] * ab[0] + ab[1] * ab[1], 1e-12), 0, 1)
            d = ap - t * ab
            assert dist[i, j] == np.sqrt(d[0] * d[0] + d[1] * d[1])
