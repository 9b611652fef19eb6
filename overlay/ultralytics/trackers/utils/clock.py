# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""Where a tracker's time per frame goes: camera-motion compensation, descriptor, Kalman, association, ReID, the rest.

`TrackerClock` times one tracker's ``update`` and, inside it, the tracker's own hook methods (the phases of
`BYTETracker.update`), its Kalman filter and its `SceneReID`, each part exclusive of the parts it calls (the Kalman
update inside an association counts as Kalman, not twice). Parts:

- ``gmc``: ``_pre_first_associate`` (the camera-motion estimate and its warp of the tracks) and any other call of the
  tracker's `GMC`;
- ``descriptor``: ``init_track`` (detections to tracks; an external encoder runs here, native features are only
  normalized: the native descriptors themselves are computed in the predictor, whose cost ``eval latency`` measures);
- ``kalman``: ``multi_predict`` and the filter's ``initiate``, ``predict`` and ``update`` (one track at a time) and
  ``multi_initiate`` and ``multi_update`` (all at once);
- ``association``: the first, second and unconfirmed associations (costs and assignment), less the Kalman updates;
- ``reid``: every `SceneReID` call and the re-finds (``_post_first_association``);
- ``rest``: everything else in ``update`` (splitting detections, new and removed tracks, output).

A tracker with phases of its own (TrackTrack's ``update``, OC-SORT's and Deep OC-SORT's association hooks) gets the
parts it shares with these: its `GMC` calls as ``gmc``, its filter's calls as ``kalman``, and the rest as ``rest``.

The clock wraps bound methods on the instances only while it is entered and removes the wrappers on exit, so a tracker
copied or pickled after the clock carries none of it. Timing costs a microsecond or two per wrapped call (some
25 a frame, about 0.05 ms of thread time at 20 tracks): `tools/tracker_cost.py scale` times whole updates without it.

    >>> with TrackerClock(tracker) as clock:
    ...     for frame in frames:
    ...         tracker.update(boxes, frame)
    >>> clock.ms_per_frame()  # {'gmc': 1.2, 'descriptor': 0.1, ..., 'total': 2.3}
"""

from __future__ import annotations

import time
from typing import Any, Callable

PARTS = ("gmc", "descriptor", "kalman", "association", "reid", "rest")
HOOKS = {  # part -> (attribute path on the tracker, method names)
    "gmc": (("", ("_pre_first_associate",)), ("gmc", ("apply",))),
    "descriptor": (("", ("init_track",)),),
    "kalman": (
        ("", ("multi_predict",)),
        ("kalman_filter", ("initiate", "predict", "update", "multi_initiate", "multi_update")),
    ),
    "association": (("", ("_first_association", "_second_association", "_unconfirmed_association")),),
    "reid": (
        ("", ("_post_first_association",)),
        ("scene_reid", ("begin_frame", "covered", "costs", "low_costs", "same", "observe", "refind")),
    ),
}


class TrackerClock:
    """Exclusive time per part of a tracker's ``update``, per frame (module docstring).

    Attributes:
        tracker (Any): The timed tracker.
        totals (dict[str, float]): Seconds spent in each part so far, ``total`` the whole ``update``.
        frames (int): ``update`` calls timed so far.
        timer (Callable[[], float]): The clock the parts are read from, in seconds.
    """

    def __init__(self, tracker: Any, timer: Callable[[], float] = time.perf_counter):
        """Prepare to time `tracker` (nothing is wrapped until the clock is entered).

        Args:
            tracker (Any): The tracker to time.
            timer (Callable[[], float]): Seconds: `time.perf_counter` (wall time, the default) or `time.thread_time`
                (the calling thread's CPU time: what the update computes, without the time a busy or shared machine
                gives to other work, and without work done on other threads: GMC's `prefetch`, a BLAS library's own).
        """
        self.tracker = tracker
        self.timer = timer
        self.totals = dict.fromkeys((*PARTS, "total"), 0.0)
        self.frames = 0
        self._inner: list[float] = []  # per open call: time spent in the timed calls it made
        self._wrapped: list[tuple[Any, str]] = []

    def _timed(self, fn: Callable, part: str) -> Callable:
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            t0 = self.timer()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = self.timer() - t0
                inner = self._inner.pop()
                if part == "total":
                    self.totals["total"] += dt
                    self.totals["rest"] += dt - inner
                    self.frames += 1
                else:
                    self.totals[part] += dt - inner
                if self._inner:
                    self._inner[-1] += dt

        return timed

    def _wrap(self, obj: Any, name: str, part: str) -> None:
        if obj is None or name in vars(obj) or not callable(getattr(obj, name, None)):
            return  # no such part on this tracker (e.g. no SceneReID), or already an instance attribute
        setattr(obj, name, self._timed(getattr(obj, name), part))
        self._wrapped.append((obj, name))

    def __enter__(self) -> TrackerClock:
        """Wrap ``update`` and the parts' methods on the tracker's instances."""
        self._wrap(self.tracker, "update", "total")
        for part, hooks in HOOKS.items():
            for path, names in hooks:
                obj = getattr(self.tracker, path, None) if path else self.tracker
                for name in names:
                    self._wrap(obj, name, part)
        return self

    def __exit__(self, *exc: Any) -> None:
        """Remove the wrappers: the tracker's methods are its class's again."""
        for obj, name in reversed(self._wrapped):
            delattr(obj, name)
        self._wrapped.clear()

    def ms_per_frame(self) -> dict[str, float]:
        """Mean milliseconds per ``update`` of each part and of the whole (``total``); zeros before any frame."""
        return {k: 1000 * v / max(self.frames, 1) for k, v in self.totals.items()}
