"""A crowded BoT-SORT update runs its appearance products on one BLAS thread, and gives the threads back after it.

`ultralytics.trackers.utils.blas`: on a busy machine OpenBLAS's threads made a crowded update (100 tracks, 100
detections) wait for cores; the update now limits the process's BLAS libraries to one thread while its products are
large enough to start threads, with the same tracks bit for bit.
"""

from __future__ import annotations

import copy
import threading

import pytest
import tracker_cost
from threadpoolctl import threadpool_info, threadpool_limits

from ultralytics.trackers.utils import blas


def blas_threads() -> dict[str, int]:
    """Threads of every BLAS library loaded in the process, by file."""
    return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def record_threads(tracker) -> list[dict[str, int]]:
    """Record the BLAS threads at each of the tracker's re-finds (one of the products an update makes), in a list."""
    seen, refind = [], tracker.scene_reid.refind

    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return refind(*args, **kwargs)

    tracker.scene_reid.refind = recording
    return seen


@pytest.fixture
def two_threads():
    """The BLAS libraries at two threads for the test (skipped where the machine has one CPU: nothing to limit)."""
    with threadpool_limits(2, user_api="blas"):
        if max(blas_threads().values(), default=1) < 2:
            pytest.skip("one CPU: BLAS has no threads to limit")
        yield blas_threads()


def test_a_crowded_update_runs_on_one_blas_thread_with_the_same_tracks(two_threads):
    """100 lost tracks and 100 detections: one thread inside the update, two again after it, the same output."""
    tracker, dets, feats = tracker_cost.scale_setup("botsort_native_reid.yaml", 100, 100)
    assert blas.largest_product(tracker, len(dets), feats) > blas.THREADED_PRODUCT
    twin = copy.deepcopy(tracker)
    seen = record_threads(tracker)
    out = tracker.update(dets, None, feats=feats)
    assert seen and all(n == 1 for n in seen[0].values())
    assert blas_threads() == two_threads
    expected = type(twin).update.__wrapped__(twin, dets, None, feats=feats)  # the same update, threads as they are
    assert out.dtype == expected.dtype and out.tobytes() == expected.tobytes()


def test_a_small_update_leaves_the_blas_threads_alone(two_threads):
    """20 tracks and 20 detections never start BLAS threads: the update does not touch the setting."""
    tracker, dets, feats = tracker_cost.scale_setup("botsort_native_reid.yaml", 20, 20)
    assert blas.largest_product(tracker, len(dets), feats) <= blas.THREADED_PRODUCT
    seen = record_threads(tracker)
    tracker.update(dets, None, feats=feats)
    assert seen and seen[0] == two_threads


def test_updates_in_several_threads_give_the_threads_back(two_threads):
    """Crowded updates overlapping in four threads share the limit; the last one to finish gives the threads back."""
    setups = [tracker_cost.scale_setup("botsort_native_reid.yaml", 100, 100, seed=s) for s in range(4)]
    errors = []

    def run(tracker, dets, feats):
        try:
            for _ in range(5):
                copy.deepcopy(tracker).update(dets, None, feats=feats)
        except Exception as e:  # reported below: an exception in a thread would otherwise pass unseen
            errors.append(e)

    threads = [threading.Thread(target=run, args=setup) for setup in setups]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert blas_threads() == two_threads


def test_no_appearance_no_limit():
    """Without appearance (`reid: off`) an update has no products to limit, however many tracks and detections."""
    tracker, dets, feats = tracker_cost.scale_setup("botsort_native_reid.yaml:reid=off", 100, 100)
    assert blas.largest_product(tracker, len(dets), feats) == 0
    twin = copy.deepcopy(tracker)
    out = tracker.update(dets, None, feats=feats)
    expected = type(twin).update.__wrapped__(twin, dets, None, feats=feats)
    assert len(out) and out.tobytes() == expected.tobytes()
