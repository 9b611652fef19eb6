# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Re-identification decisions calibrated on the scene itself, for BoT-SORT's ``association: reid``.

A fixed similarity threshold means different things in different scenes: with a weak, cheap descriptor (the native
``color`` histograms) two different people in dark coats can look more alike than one person before and after walking
out of a shadow. So every decision here is taken against what this tracker has seen of this scene so far:

- **Positives**: how similar a visible track's appearance of 0.5-2 s ago is to its current detection (the same person
  after about the time an occlusion lasts). **Negatives**: how similar it is to the current detections of the other
  people within ``NEGATIVE_RANGE`` of its box heights (different people, who are the candidates a re-find confuses it
  with). Detections more than 30 % covered by another box are left out of both. `SceneStats` keeps both as smoothed
  histograms and turns any similarity into a likelihood ratio ``P(s | same person) / P(s | different people)``.
  For a native descriptor with a prior (`descriptors.SIMILARITY_PRIORS`, learnt offline on development footage by
  ``tools/reid_prior.py``), both histograms start as a few pseudo-samples of it, so appearance can decide from the
  first frame, also in short clips and in sparse scenes that never show two people side by side; the scene's own
  samples refine it as they come.
- **Re-finds**: after motion has matched what it can, a lost track takes an unmatched detection when the posterior
  probability that the detection is that track, among every lost track whose region holds it, every visible track
  near it and "someone else", is at least ``reid_confidence``. The region follows the motion model: the points within
  ``refind_radius`` box heights, plus ``refind_speed`` (a brisk walk) per second lost, of the path from where
  the track was last seen to where its Kalman filter, velocity kept, puts it now; so people who stood still, turned
  back or walked on behind an occluder, and people who left the frame and come back at its edge, are inside. In box
  heights and seconds, it means the same on 640 px and 1920 px video, at 7 fps or at 30 fps. Each candidate's
  likelihood ratio is appearance's times two of the box's (`size_ratio`, `place_ratio`): the same person comes back
  about as tall as they left (the log ratio of the heights spread by ``SIZE_SPREAD``, against ``SIZE_SPREAD_OTHERS``
  between two people near each other) and nearer the path than the region's border (a half-normal of
  ``PLACE_SPREAD`` radii, against anywhere in the region); a visible track competes with appearance and height.
  A track lost for ``LATE`` seconds or more needs only ``reid_confidence_late`` for a detection away from the frame's
  edge: someone who comes back a moment after being lost is mostly taken back by overlap before a re-find looks, so
  what is left near such a track is more often someone else, while after a longer gap overlap no longer finds them; at
  the frame's edge, where new people walk in, the bar stays ``reid_confidence``, and after ``EDGE_LATE`` seconds it
  rises to ``reid_confidence_edge``: who walks in there seconds later is more often someone new than the one who left.
- **Veto**: a lost track may not take, by overlap alone, a detection whose appearance is ``1 / veto_ratio`` times more
  likely for another person than for itself; overlapping tracks that different are not de-duplicated either.
- **Two tracks at once are two people**: a lost track whose box a longer-lived tracked track covers is not dropped as
  its duplicate when both were tracks at the same time (each with detections of its own): it is the person who walked
  behind the other, and lives on to be re-found when they come out, whether or not their looks tell them apart.
- **Ties**: among overlapping candidates, appearance adds ``tie_weight * (1 - similarity)`` to the motion cost; in
  the second association (ByteTrack's: the low-score detections, by IoU alone, to the tracks still unmatched),
  ``low_tie_weight * (1 - similarity)``, so of two overlapping tracks the one that looks like a partly hidden
  person's low-score box takes it, and the other is not moved onto that person.
- **Covered detections**: a track matched to a detection more than 30 % covered by another box keeps its appearance
  (the detection mixes two people's looks), so people who cross or merge keep what they look like apart. Only a
  tentative track confirmed by its second detection takes it anyway (it has a single sample to keep).

Without a prior (other descriptors, external encoders), nothing is re-found or vetoed until the scene has given
``MIN_POSITIVES`` positives and ``MIN_NEGATIVES`` negatives. Wherever appearance does not separate the people of a
scene (likelihood ratios near 1), no posterior reaches ``reid_confidence``: tracking falls back to motion, and to the
box (a lone candidate back as tall as the track was, near where motion puts it, can reach ``reid_confidence_late``).

Everything is a few small NumPy array operations per frame over the tracks and detections at hand; no Python loop runs
over track x detection pairs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..basetrack import TrackState
from .descriptors import SIMILARITY_PRIORS
from .matching import embedding_distance, linear_assignment
from .stracks import at_edge

BINS = 200  # similarity histogram bins over [0, 1]
SMOOTH = 2.0  # Gaussian smoothing of the histograms, in bins
MIN_POSITIVES, MIN_NEGATIVES = 30, 50  # without a prior: samples the scene must give before appearance decides
PRIOR_POSITIVES, PRIOR_NEGATIVES = 30, 50  # with a prior: the pseudo-samples it counts as
NEGATIVE_RANGE = 1.5  # negatives: other people within this many box heights of the track
COVERED = 0.3  # detections covered by another box by more than this fraction of their area: no samples, no learning
SNAPSHOT_AGE = (0.5, 2.0)  # seconds: positives compare a track's appearance of this long ago with its detection
LATE = 2.0  # seconds lost from which a re-find away from the frame's edge needs only ``reid_confidence_late``
EDGE_LATE = 3.0  # seconds lost from which a re-find at the frame's edge needs ``reid_confidence_edge``
SIZE_SPREAD = (0.15, 0.03)  # same person: spread of the log ratio of box heights when lost, and its growth per second
SIZE_SPREAD_OTHERS = 0.3  # different people near each other: spread of the log ratio of their box heights
PLACE_SPREAD = 0.5  # same person: spread of the distance from the re-find path, in re-find radii


def similarity(tracks: list, detections: list) -> tuple[np.ndarray, np.ndarray]:
    """Appearance similarity ``(1 + cosine) / 2`` of each track (smoothed feature) and detection, and where both exist.

    Args:
        tracks (list[BOTrack]): Tracks, compared by their smoothed feature.
        detections (list[BOTrack]): Detections wrapped as tracks, compared by their current feature.

    Returns:
        (tuple[np.ndarray, np.ndarray]): Similarity (len(tracks), len(detections)), meaningless where a feature is
            missing, and the mask of pairs where both features exist.
    """
    known = np.outer([t.smooth_feat is not None for t in tracks], [d.curr_feat is not None for d in detections])
    return 1.0 - embedding_distance(tracks, detections) / 2.0, known


def _boxes(tracks: list) -> np.ndarray:
    """Box of each track when last seen (of each detection, for detections wrapped as tracks), (n, 4) in xywh."""
    return np.asarray([t.observed_xywh[:4] for t in tracks], np.float32).reshape(-1, 4)


def box_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance between the centres of boxes ``a`` (n, 4+) and ``b`` (m, 4+) in xywh, in units of ``a``'s height."""
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return d / np.maximum(a[:, None, 3], 1e-6)


def path_distance(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Distance from each point ``p`` (m, 2) to each segment from ``a`` (n, 2) to ``b`` (n, 2): an (n, m) array.

    x and y are kept as separate (n, m) arrays: NumPy's loops over a trailing axis of length 2 cost ten times more.
    """
    abx, aby = b[:, 0:1] - a[:, 0:1], b[:, 1:2] - a[:, 1:2]
    apx, apy = p[None, :, 0] - a[:, 0:1], p[None, :, 1] - a[:, 1:2]
    t = (apx * abx + apy * aby) / np.maximum(abx * abx + aby * aby, 1e-12)
    t = np.minimum(np.maximum(t, 0), 1)  # np.clip(t, 0, 1), whose dispatch costs more
    dx, dy = apx - t * abx, apy - t * aby
    return np.sqrt(dx * dx + dy * dy)


def size_ratio(h_tracks: np.ndarray, h_detections: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Likelihood ratio of box heights, ``P(h | same person) / P(h | different people nearby)`` (tracks x detections).

    The log ratio of a detection's height to a track's is normal around 0 for both: with spread ``SIZE_SPREAD`` (growing
    with the seconds the track has been lost, never wider than the other's) for the same person, and
    ``SIZE_SPREAD_OTHERS`` for two different people near each other.

    Args:
        h_tracks (np.ndarray): Box height of each track when last seen (n,).
        h_detections (np.ndarray): Box height of each detection (m,).
        seconds (np.ndarray): Seconds each track has been lost (n,).

    Returns:
        (np.ndarray): The likelihood ratios (n, m).
    """
    log_ratio = np.log(np.maximum(h_detections, 1e-6)[None] / np.maximum(h_tracks, 1e-6)[:, None])
    same = np.minimum(SIZE_SPREAD[0] + SIZE_SPREAD[1] * np.asarray(seconds, np.float32)[:, None], SIZE_SPREAD_OTHERS)
    return (SIZE_SPREAD_OTHERS / same) * np.exp(-0.5 * log_ratio**2 * (1 / same**2 - 1 / SIZE_SPREAD_OTHERS**2))


def place_ratio(reach: np.ndarray) -> np.ndarray:
    """Likelihood ratio of where a detection is in a re-find region: the same person near the path, anyone anywhere.

    Args:
        reach (np.ndarray): Distance from the re-find path in re-find radii (1 at the region's border).

    Returns:
        (np.ndarray): Half-normal density of spread ``PLACE_SPREAD`` over the uniform density on ``[0, 1]``.
    """
    return math.sqrt(2 / math.pi) / PLACE_SPREAD * np.exp(-0.5 * (reach / PLACE_SPREAD) ** 2)


def coverage(xywh: np.ndarray) -> np.ndarray:
    """For each box (n, 4+) in xywh, the largest fraction of its area that another box covers."""
    if len(xywh) < 2:
        return np.zeros(len(xywh))
    lo, hi = xywh[:, :2] - xywh[:, 2:4] / 2, xywh[:, :2] + xywh[:, 2:4] / 2
    w = np.maximum(np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(lo[:, None, 0], lo[None, :, 0]), 0)
    h = np.maximum(np.minimum(hi[:, None, 1], hi[None, :, 1]) - np.maximum(lo[:, None, 1], lo[None, :, 1]), 0)
    inter = w * h  # x and y as separate (n, n) arrays, as in `path_distance`
    np.fill_diagonal(inter, 0)
    return (inter / np.maximum(xywh[:, 2] * xywh[:, 3], 1e-9)[:, None]).max(1)


def _kernel() -> np.ndarray:
    """The histograms' smoothing kernel: a Gaussian of ``SMOOTH`` bins over +-4 of them, summing to 1."""
    k = np.exp(-0.5 * (np.arange(-4 * SMOOTH, 4 * SMOOTH + 1) / SMOOTH) ** 2)
    return k / k.sum()


_KERNEL = _kernel()  # the same every frame: computed once


def _resample(hist: np.ndarray) -> np.ndarray:
    """A histogram over ``[0, 1]`` with any number of equal bins as ``BINS`` bins summing to 1 (uniform within bins)."""
    hist = np.asarray(hist, dtype=np.float64)
    fine = np.repeat(hist / len(hist), BINS // len(hist)) if BINS % len(hist) == 0 else None
    if fine is None:
        edges = np.linspace(0, 1, BINS + 1)
        cdf = np.interp(edges, np.linspace(0, 1, len(hist) + 1), np.concatenate([[0], np.cumsum(hist)]))
        fine = np.diff(cdf)
    return fine / max(fine.sum(), 1e-12)


class SceneStats:
    """Online histograms of same-person and different-people similarities in one scene, and their likelihood ratio.

    With a prior (the descriptor's distributions learnt offline, `descriptors.SIMILARITY_PRIORS`), the histograms
    start as ``PRIOR_POSITIVES`` and ``PRIOR_NEGATIVES`` pseudo-samples of it, so appearance can decide from the first
    frame, and the scene's own samples take over as they come. Without one they start empty and appearance decides
    nothing until the scene has given ``MIN_POSITIVES`` and ``MIN_NEGATIVES`` samples.

    Attributes:
        pos (np.ndarray): Counts of positive (same person) similarities per bin, pseudo-counts of the prior included.
        neg (np.ndarray): Counts of negative (different people) similarities per bin, pseudo-counts included.
        has_prior (bool): Whether the counts started from a prior.
    """

    def __init__(self, prior: tuple[np.ndarray, np.ndarray] | None = None):
        """Start from the prior's pseudo-counts, or with no samples.

        Args:
            prior (tuple[np.ndarray, np.ndarray], optional): Positive and negative similarity histograms over ``[0, 1]``
                with any number of equal bins (any scale); resampled to ``BINS``.
        """
        self.has_prior = prior is not None
        self.pos, self.neg = np.zeros(BINS), np.zeros(BINS)
        if prior is not None:
            self.pos += PRIOR_POSITIVES * _resample(prior[0])
            self.neg += PRIOR_NEGATIVES * _resample(prior[1])
        self._ratio = None

    @staticmethod
    def _bins(s: np.ndarray) -> np.ndarray:
        return np.minimum(np.maximum((np.asarray(s) * BINS).astype(int), 0), BINS - 1)  # np.clip's dispatch costs more

    def add(self, pos: np.ndarray, neg: np.ndarray) -> None:
        """Count positive and negative similarities."""
        self.pos += np.bincount(self._bins(pos), minlength=BINS)
        self.neg += np.bincount(self._bins(neg), minlength=BINS)
        self._ratio = None

    @property
    def ready(self) -> bool:
        """Whether appearance may decide: from the start with a prior, else once the scene gave enough samples."""
        return self.has_prior or (self.pos.sum() >= MIN_POSITIVES and self.neg.sum() >= MIN_NEGATIVES)

    def ratio(self, s: np.ndarray) -> np.ndarray:
        """Likelihood ratio ``P(s | same person) / P(s | different people)`` of similarities ``s``."""
        if self._ratio is None:
            pos = np.convolve(self.pos, _KERNEL, "same") + 1.0 / BINS  # one pseudo-sample spread over the bins
            neg = np.convolve(self.neg, _KERNEL, "same") + 1.0 / BINS
            self._ratio = (pos / pos.sum()) / (neg / neg.sum())
        return self._ratio[self._bins(s)]


class SceneReID:
    """The appearance side of BoT-SORT's ``association: reid``: ties, vetoes and re-finds, calibrated on the scene.

    Attributes:
        frame_rate (float): Frames per second of the stream, for the time-based gate and snapshots.
        tie_weight (float): Weight of appearance dissimilarity added to the motion cost of overlapping pairs.
        low_tie_weight (float): The same in the second association (low-score detections, IoU cost).
        veto_ratio (float): A lost track may not take a detection whose likelihood ratio is below this.
        confidence (float): Minimum posterior probability for a re-find by appearance.
        late_confidence (float): The same for a track lost ``LATE`` seconds or more, away from the frame's edge.
        edge_confidence (float): The same for a track lost ``EDGE_LATE`` seconds or more, at the frame's edge.
        radius (float): Re-find gate radius around where a lost track was last seen, in its box heights.
        speed (float): Growth of that radius per second lost, in box heights.
        max_radius (float): Largest re-find gate radius, in box heights.
        stats (SceneStats): What the scene has shown so far.

    Examples:
        >>> reid = SceneReID(args, frame_rate=25)
        >>> reid.begin_frame(results.xywh, results.orig_shape)  # every detection of the frame, and its size
        >>> dists = reid.costs(tracks, detections, dists, iou_dists)  # the first association's costs
        >>> dists = reid.low_costs(tracks, low_score_detections, iou_dists)  # the second association's
        >>> reid.observe(matched_tracks, their_detections, frame_id, lifetime)  # its matches, before the updates
        >>> pairs = reid.refind(lost_tracks, unmatched_detections, matched_tracks, frame_id)
    """

    def __init__(self, args: Any, frame_rate: float):
        """Read the ``association: reid`` keys of a tracker config.

        Args:
            args (BoTSORTConfig): Tracker config (`ultralytics.trackers.config`) with ``tie_weight``,
                ``low_tie_weight``, ``veto_ratio``, ``reid_confidence``, ``reid_confidence_late``,
                ``reid_confidence_edge`` (0: ``reid_confidence``), ``refind_radius``, ``refind_speed`` and
                ``refind_max``.
            frame_rate (float): Frames per second of the stream.
        """
        self.frame_rate = float(frame_rate)
        self.tie_weight = args.tie_weight
        self.low_tie_weight = args.low_tie_weight
        self.veto_ratio = args.veto_ratio
        self.confidence = args.reid_confidence
        self.late_confidence = args.reid_confidence_late
        self.edge_confidence = args.reid_confidence_edge or args.reid_confidence
        self.radius = args.refind_radius
        self.speed = args.refind_speed
        self.max_radius = args.refind_max
        native = getattr(args, "reid", None) == "native"
        self.prior = SIMILARITY_PRIORS.get(getattr(args, "descriptor", None)) if native else None
        self.reset()

    def reset(self) -> None:
        """Forget the scene (a new video)."""
        self.stats = SceneStats(self.prior)
        self._snapshots: dict[int, tuple[int, np.ndarray]] = {}  # track id -> (frame, smoothed feature then)
        self._coverage = np.zeros(0)
        self._shape: tuple[int, int] | None = None

    def begin_frame(self, xywh: np.ndarray, shape: tuple[int, int] | None = None) -> None:
        """Note how much each detection of the frame (n, 4+ in xywh, in detection-index order) is covered by another.

        Args:
            xywh (np.ndarray): Every detection of the frame, in detection-index order.
            shape (tuple[int, int] | None): The frame's height and width, for the re-finds at its edge (without it,
                every re-find needs ``reid_confidence``).
        """
        self._coverage = coverage(np.asarray(xywh, dtype=np.float32))
        self._shape = None if shape is None else (int(shape[0]), int(shape[1]))

    def covered(self, detection: Any) -> bool:
        """Whether another box of the frame covers more than ``COVERED`` of the detection (a wrapped `BOTrack`)."""
        i = int(detection.idx)
        return i < len(self._coverage) and bool(self._coverage[i] > COVERED)

    def costs(self, tracks: list, detections: list, dists: np.ndarray, iou_dists: np.ndarray) -> np.ndarray:
        """Motion costs with appearance as tie-break and veto (see the module docstring).

        Args:
            tracks (list[BOTrack]): Tracked and lost tracks.
            detections (list[BOTrack]): Detections wrapped as tracks.
            dists (np.ndarray): Motion cost of each pair (IoU distance, optionally fused with the score).
            iou_dists (np.ndarray): IoU distance of each pair.

        Returns:
            (np.ndarray): The costs, with vetoed pairs at 1.
        """
        s, known = similarity(tracks, detections)
        dists = np.where(known & (iou_dists < 1.0), dists + self.tie_weight * (1.0 - s), dists)
        if self.stats.ready:
            lost = np.array([t.state == TrackState.Lost for t in tracks])[:, None]
            dists[known & lost & (self.stats.ratio(s) < self.veto_ratio)] = 1.0
        return dists

    def low_costs(self, tracks: list, detections: list, iou_dists: np.ndarray) -> np.ndarray:
        """The second association's IoU costs with appearance as tie-break (``low_tie_weight``), no veto.

        Args:
            tracks (list[BOTrack]): Tracked tracks the first association left unmatched.
            detections (list[BOTrack]): Low-score detections wrapped as tracks.
            iou_dists (np.ndarray): IoU distance of each pair.

        Returns:
            (np.ndarray): The costs.
        """
        s, known = similarity(tracks, detections)
        return np.where(known & (iou_dists < 1.0), iou_dists + self.low_tie_weight * (1.0 - s), iou_dists)

    def same(self, kept: Any, dropped: Any) -> bool:
        """Whether the pool de-duplication may drop `dropped` as a duplicate of the overlapping, longer-lived `kept`.

        Not when appearance tells them apart, nor when `dropped` is a lost track that was a track at the same time as
        `kept` (from the later one's first frame to the earlier one's last): that is another person, e.g. one who walked
        behind the other, whose identity would be gone for good. A tracked track may still yield to an older lost one,
        which stays to take the person back.
        """
        if dropped.state == TrackState.Lost and max(kept.start_frame, dropped.start_frame) <= min(
            kept.frame_id, dropped.frame_id
        ):
            return False
        if not self.stats.ready or kept.smooth_feat is None or dropped.smooth_feat is None:
            return True
        return bool(self.stats.ratio(0.5 + 0.5 * float(kept.smooth_feat @ dropped.smooth_feat)) >= self.veto_ratio)

    def _snapshot(self, track: Any, frame_id: int) -> np.ndarray | None:
        """The track's smoothed feature of ``SNAPSHOT_AGE`` seconds ago (older after a gap); refreshed when too old."""
        young, old = (math.ceil(a * self.frame_rate) for a in SNAPSHOT_AGE)
        frame, feat = self._snapshots.get(track.track_id, (None, None))
        if frame is None or frame_id - frame >= old:
            self._snapshots[track.track_id] = (frame_id, track.smooth_feat.copy())
            return feat
        return feat if frame_id - frame >= young else None

    def observe(self, tracks: list, detections: list, frame_id: int, lifetime: int) -> None:
        """Learn from what motion matched this frame, before the tracks take their detections (module docstring).

        Args:
            tracks (list[BOTrack]): Tracked (not lost) tracks that motion matched, before their update.
            detections (list[BOTrack]): The detection each of them matched, aligned with ``tracks``.
            frame_id (int): Current frame.
            lifetime (int): Frames a lost track is kept; snapshots older than any live track's are dropped.
        """
        cutoff = frame_id - lifetime - math.ceil(SNAPSHOT_AGE[1] * self.frame_rate) - 1
        self._snapshots = {k: v for k, v in self._snapshots.items() if v[0] >= cutoff}
        pairs = [
            (t, d)
            for t, d in zip(tracks, detections)
            if t.smooth_feat is not None and d.curr_feat is not None and not self.covered(d)
        ]
        snaps = [self._snapshot(t, frame_id) for t, _ in pairs]
        rows = [i for i, snap in enumerate(snaps) if snap is not None]
        if not rows:
            return
        s = 0.5 + 0.5 * np.asarray([snaps[i] for i in rows]) @ np.asarray([d.curr_feat for _, d in pairs]).T
        boxes = np.asarray([d.observed_xywh[:4] for _, d in pairs])
        same = np.asarray(rows)[:, None] == np.arange(len(pairs))[None]
        near = box_distance(boxes[rows], boxes) <= NEGATIVE_RANGE
        self.stats.add(s[same], s[~same & near])

    def _reach(self, tracks: list, seen: np.ndarray, boxes: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """How far each detection is from each track's re-find path, in re-find radii (tracks x detections).

        The re-find region (the detections at most 1 away) follows the motion model: every point within ``radius +
        speed * seconds lost`` (at most ``max_radius``) box heights of the path from where the track was last seen to
        where its Kalman filter, velocity kept, predicts it now. So a person who stood still, turned back or walked on
        behind an occluder, or left the frame and comes back at its edge, is inside, at any resolution and frame rate.

        Args:
            tracks (list[BOTrack]): The tracks.
            seen (np.ndarray): Their boxes when last seen (`_boxes`).
            boxes (np.ndarray): The detections' boxes (`_boxes`).
            seconds (np.ndarray): Seconds each track has been lost.
        """
        radius = np.minimum(self.radius + self.speed * seconds[:, None], self.max_radius)
        now = np.asarray([t.mean[:2] if t.mean is not None else t.observed_xywh[:2] for t in tracks], np.float32)
        return path_distance(seen[:, :2], now, boxes[:, :2]) / np.maximum(seen[:, 3:4], 1e-6) / radius

    def _bars(self, seconds: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The posterior each re-find needs, lost tracks (by seconds lost) x detections (by box, `_boxes`; broadcast).

        ``late_confidence`` for a track lost ``LATE`` seconds or more and a detection away from the frame's edge
        (`at_edge`), ``edge_confidence`` for one lost ``EDGE_LATE`` seconds or more and a detection at it, else
        ``confidence``; ``confidence`` everywhere while the frame's size is unknown.
        """
        if self._shape is None:
            return np.full((len(seconds), 1), self.confidence)
        edge, lost = at_edge(b, self._shape)[None], seconds[:, None]
        bars = np.where(edge & (lost >= EDGE_LATE), self.edge_confidence, self.confidence)
        return np.where(~edge & (lost >= LATE), self.late_confidence, bars)

    def _lowest_bar(self) -> float:
        """The lowest posterior `_bars` asks of any re-find."""
        return min(self.confidence, self.late_confidence, self.edge_confidence)

    def refind(self, lost: list, detections: list, visible: list, frame_id: int) -> list[tuple[int, int]]:
        """Re-find lost tracks among the detections motion left unmatched, by posterior probability (module docstring).

        Args:
            lost (list[BOTrack]): Lost tracks; those without a feature are not re-found.
            detections (list[BOTrack]): Detections motion left unmatched; those without a feature are not taken.
            visible (list[BOTrack]): Tracks matched this frame, which compete for each detection.
            frame_id (int): Current frame.

        Returns:
            (list[tuple[int, int]]): ``(lost index, detection index)`` pairs to re-activate.
        """
        if not lost or not detections or not self.stats.ready:
            return []
        boxes, seen = _boxes(detections), _boxes(lost)
        seconds = np.asarray([frame_id - t.end_frame for t in lost], np.float32) / self.frame_rate
        reach = self._reach(lost, seen, boxes, seconds)
        near = reach <= 1.0
        if not near.any():  # no detection where a lost track may be: nothing to compare
            return []
        s, known = similarity(lost, detections)
        near &= known
        ratio = self.stats.ratio(s) * place_ratio(reach) * size_ratio(seen[:, 3], boxes[:, 3], seconds)
        ratio = np.where(near, ratio, 0)
        others = 1.0 + ratio.sum(0)  # "someone else" and every lost track in whose region the detection lies
        # the visible people below only add to `others`: a re-find that cannot pass without them cannot pass with them
        upper = ratio / others[None]
        if not (upper >= self._lowest_bar()).any():
            return []
        bars = self._bars(seconds, boxes)
        if not (upper >= bars).any():
            return []
        if visible:
            s, known = similarity(visible, detections)
            at, now = _boxes(visible), np.ones(len(visible), np.float32) / self.frame_rate  # about where they are
            near = known & (self._reach(visible, at, boxes, now) <= 1.0)
            ratio_visible = self.stats.ratio(s) * size_ratio(at[:, 3], boxes[:, 3], now)
            others = others + np.where(near, ratio_visible, 0).sum(0)
        posterior = ratio / others[None]
        ok = posterior >= bars
        if not ok.any():
            return []
        matches, _, _ = linear_assignment(np.where(ok, 1.0 - posterior, 1.0), thresh=0.999)
        return [(int(i), int(j)) for i, j in matches if ok[i, j]]
