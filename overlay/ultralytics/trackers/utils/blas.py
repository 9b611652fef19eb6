# ultralytics-reid 🚀 AGPL-3.0 License - https://ultralytics.com/license
"""A crowded tracker update's appearance products on one BLAS thread.

BoT-SORT with appearance multiplies the features of its tracks by those of the frame's detections
(`matching.embedding_distance`, and the re-finds and scene statistics of ``association: reid``). In a crowd, 100 tracks
and 100 detections with 64-d features, such a product is about a million multiply-adds: large enough for OpenBLAS to
split it over its threads, although one thread computes it in some 20 µs. On a machine busy with other work (other
streams, a CPU detector, video decoding) the update then waits for those threads to get a core: a crowded update took
7-8 ms instead of 2.8 (docs/benchmarks.md). `one_blas_thread` runs such an update with the BLAS libraries of the process
(threadpoolctl's ``user_api="blas"``: NumPy's OpenBLAS, and any other) limited to one thread, and gives them back their
setting after it. A product on one thread is bit for bit the product on several, so the tracks do not change.

Only an update whose largest product (tracks x detections x feature length) exceeds ``THREADED_PRODUCT`` is limited:
below it OpenBLAS computes on the calling thread anyway, and the limit (about 12 µs) would be pure cost. The setting is
the process's: while a crowded update runs, NumPy products of other threads run on one thread too. Trackers updating in
several threads at once share one limit, taken by the first and given back by the last.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

THREADED_PRODUCT = 65536 * 4  # multiply-adds above which OpenBLAS may use its threads (GEMM_MULTITHREAD_THRESHOLD 4)


class _SharedLimit:
    """One limit of the BLAS libraries to a single thread, shared by the updates that run at the same time."""

    def __init__(self):
        """Nothing is limited, and no library looked up, until the first crowded update."""
        self._lock = threading.Lock()
        self._users = 0
        self._controller = None  # threadpoolctl's view of the loaded libraries, built once (a few ms)
        self._limiter = None

    def __enter__(self) -> _SharedLimit:
        """Limit the BLAS libraries to one thread, unless an update running now already has."""
        with self._lock:
            if self._users == 0:
                if self._controller is None:
                    from threadpoolctl import ThreadpoolController

                    self._controller = ThreadpoolController()
                self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._users += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        """Give the libraries back the threads they had, once no update needs the limit any more."""
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._limiter.restore_original_limits()
                self._limiter = None


_LIMIT = _SharedLimit()


def largest_product(tracker: Any, n_detections: int, feats: Any = None) -> int:
    """Multiply-adds of the largest appearance product an update of `tracker` with `n_detections` can make.

    The first association compares every tracked and lost track with every detection; the feature length is that of
    the tracks' appearance, or of the frame's features before any track has one. 0 where the tracker uses no appearance
    (``with_reid`` off), whatever features it is given.
    """
    if not getattr(getattr(tracker, "args", None), "with_reid", False):
        return 0
    tracks = (*tracker.tracked_stracks, *tracker.lost_stracks)
    dim = next((len(t.smooth_feat) for t in tracks if getattr(t, "smooth_feat", None) is not None), 0)
    if not dim and feats is not None and getattr(feats, "ndim", 0) == 2:
        dim = feats.shape[1]
    return len(tracks) * n_detections * dim


def one_blas_thread(update: Callable) -> Callable:
    """Decorate a tracker's ``update(results, img=None, feats=None, ...)`` to run crowded updates on one BLAS thread.

    Args:
        update (Callable): The tracker method to decorate.

    Returns:
        (Callable): The same method, run under a one-thread BLAS limit where its products exceed ``THREADED_PRODUCT``.
    """

    @functools.wraps(update)
    def wrapper(self, results, *args, **kwargs):
        feats = kwargs.get("feats", args[1] if len(args) > 1 else None)
        if largest_product(self, len(results), feats) <= THREADED_PRODUCT:
            return update(self, results, *args, **kwargs)
        with _LIMIT:
            return update(self, results, *args, **kwargs)

    return wrapper
