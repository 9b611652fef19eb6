"""tools/tracker_cost.py: the soak and scaling benchmarks run, write their results, and measure what they claim."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tracker_cost

TOOL = Path(__file__).resolve().parents[1] / "tools/tracker_cost.py"


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the benchmark CLI as a developer would."""
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=600)


def test_help_names_both_benchmarks():
    """`--help` documents the two commands."""
    r = run("--help")
    assert r.returncode == 0 and "soak" in r.stdout and "scale" in r.stdout


def test_soak_reports_checkpoints_and_holds_features_of_live_tracks_only(tmp_path):
    """A short soak writes one row per checkpoint; the features held never exceed what live tracks need.

    Identities come and go, so tracks are removed during the run; their features must have been released.
    """
    r = run(
        "soak", "--frames", "100", "600", "--people", "8", "--track-buffer", "30", "--dim", "32", "--out", str(tmp_path)
    )
    assert r.returncode == 0, r.stderr[-3000:]
    rows = json.loads((tmp_path / "results.json").read_text())
    assert [row["frames"] for row in rows] == [100, 600]
    last = rows[-1]
    assert last["identities"] > 8 and last["removed_kept"] > 0  # people left and their tracks were removed
    live_bytes = (last["tracked"] + last["lost"]) * 2 * 32 * 4  # smooth + current feature per live track, float32
    assert last["feature_kib"] * 1024 <= live_bytes + 52  # the report rounds to 0.1 KiB
    assert all(row["ms_mean"] > 0 and row["peak_rss_mib"] >= row["rss_mib"] > 0 for row in rows)
    assert "| 600 |" in (tmp_path / "results.md").read_text()
    cpu = run("soak", "--frames", "50", "--people", "4", "--timer", "cpu", "--out", str(tmp_path / "cpu"))
    assert cpu.returncode == 0, cpu.stderr[-3000:]
    assert json.loads((tmp_path / "cpu/results.json").read_text())[0]["ms_mean"] > 0
    assert "(the thread's CPU time)" in (tmp_path / "cpu/results.md").read_text()


def test_scale_times_every_size_pair_and_plots(tmp_path):
    """The scaling benchmark times each (lost tracks, detections) pair for each tracker and draws the plot."""
    r = run(
        "scale",
        "--sizes",
        "10",
        "40",
        "--repeats",
        "1",
        "--tracker",
        "botsort_native_reid.yaml",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr[-3000:]
    rows = json.loads((tmp_path / "results.json").read_text())
    assert {(row["lost_tracks"], row["detections"]) for row in rows} == {(10, 10), (10, 40), (40, 10), (40, 40)}
    assert all(row["ms"] > 0 for row in rows)
    parts = ("gmc", "descriptor", "kalman", "association", "reid", "rest")
    assert all(abs(sum(row[p] for p in parts) - row["clocked"]) < 0.01 for row in rows)  # parts add up to the whole
    assert all(row["reid"] > 0.05 and row["kalman"] > 0.05 and row["gmc"] < 0.05 for row in rows)  # no image, no GMC
    assert "By part" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "scale.png").stat().st_size > 1000


def test_scale_in_cpu_time_says_so(tmp_path):
    """`--timer cpu` times the same cases in the thread's CPU time and says so; an unknown timer is refused."""
    r = run("scale", "--sizes", "10", "--repeats", "3", "--timer", "cpu", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    rows = json.loads((tmp_path / "results.json").read_text())
    assert {row["tracker"] for row in rows} == {"botsort_native_reid.yaml", "bytetrack.yaml"}
    assert all(row["timer"] == "cpu" and row["ms"] > 0 for row in rows)
    assert "the thread's CPU time" in (tmp_path / "results.md").read_text().splitlines()[0]
    bad = run("scale", "--sizes", "10", "--timer", "sundial")
    assert bad.returncode == 2 and "--timer" in bad.stderr.splitlines()[-1] and "Traceback" not in bad.stderr


def test_scale_takes_tracker_overrides_as_eval_does(tmp_path):
    """`--tracker YAML:key=value` times that config: the same config at `reid: off` spends nothing on ReID."""
    spec = "botsort_native_reid.yaml:reid=off"
    r = run("scale", "--sizes", "10", "--repeats", "1", "--tracker", spec, "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    (row,) = json.loads((tmp_path / "results.json").read_text())
    assert row["tracker"] == spec
    assert row["reid"] < 0.01 and row["kalman"] > 0.01  # native ReID spends 0.2 ms here
    bad = run("scale", "--sizes", "10", "--repeats", "1", "--tracker", "botsort_native_reid.yaml:reid=maybe")
    assert bad.returncode == 2 and "'reid: maybe'" in bad.stderr.splitlines()[-1]  # one line, before any timing
    assert "Traceback" not in bad.stderr


def test_clock_splits_an_update_into_parts_and_leaves_the_tracker_as_it_was():
    """The clock's parts add up to the update's time, each part is where its work is, and the tracks do not change.

    After the clock the tracker holds no wrapper: its methods are its class's again.
    """
    from ultralytics.trackers.utils.clock import PARTS, TrackerClock

    img = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    for yaml, overrides in (("botsort_native_reid.yaml", {}), ("bytetrack.yaml", {})):
        tracker, dets, feats = tracker_cost.scale_setup(yaml, 20, 20, **overrides)
        twin = copy.deepcopy(tracker)
        with TrackerClock(tracker) as clock:
            for _ in range(3):
                out = tracker.update(dets, img, feats=feats)
        for _ in range(3):
            expected = twin.update(dets, img, feats=feats)
        np.testing.assert_array_equal(out, expected)
        ms = clock.ms_per_frame()
        assert clock.frames == 3 and ms["total"] > 0
        assert sum(ms[p] for p in PARTS) == pytest.approx(ms["total"])
        assert ms["kalman"] > 0 and ms["association"] > 0 and ms["descriptor"] > 0 and ms["rest"] > 0
        if yaml == "bytetrack.yaml":
            assert ms["gmc"] < 0.05 and ms["reid"] < 0.05  # ByteTrack has neither: only its empty hooks run
        else:
            assert ms["gmc"] > 0.05 and ms["reid"] > 0.05
        assert not {"update", "init_track", "multi_predict"} & set(vars(tracker))
        assert not {"update", "initiate", "multi_update", "multi_initiate"} & set(vars(tracker.kalman_filter))
        assert tracker.update.__func__ is type(tracker).update


def test_clock_in_cpu_time_leaves_out_time_the_update_does_not_compute():
    """With the thread's CPU time the clock counts what the update computes, not time it spends waiting.

    A tracker whose detections-to-tracks step also waits 30 ms (as an update does when a shared machine gives its core
    to other work) is timed both ways: wall time counts the wait in that part, CPU time does not; the tracks are the
    same.
    """
    import time

    from ultralytics.trackers.byte_tracker import BYTETracker
    from ultralytics.trackers.utils.clock import TrackerClock

    class Waiting(BYTETracker):
        def init_track(self, *args, **kwargs):
            time.sleep(0.03)
            return super().init_track(*args, **kwargs)

    tracker, dets, feats = tracker_cost.scale_setup("bytetrack.yaml", 10, 10)
    tracker.__class__ = Waiting
    ms, out = {}, {}
    for name, timer in (("wall", time.perf_counter), ("cpu", time.thread_time)):
        t = copy.deepcopy(tracker)
        with TrackerClock(t, timer=timer) as clock:
            out[name] = t.update(dets, None, feats=feats)
        ms[name] = clock.ms_per_frame()
    np.testing.assert_array_equal(out["wall"], out["cpu"])
    assert ms["wall"]["descriptor"] >= 30 and ms["wall"]["total"] >= 30
    assert ms["cpu"]["descriptor"] < 10 and 0 < ms["cpu"]["total"] < 10
    assert ms["cpu"]["kalman"] > 0 and ms["cpu"]["association"] > 0


def lines_run(tracker, dets, feats) -> int:
    """Python lines of ultralytics code executed by one `tracker.update`."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if "ultralytics" not in frame.f_code.co_filename:
            return None
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        tracker.update(dets, None, feats=feats)
    finally:
        sys.settrace(None)
    return count


NATIVE = {"with_reid": True, "model": "auto"}


@pytest.mark.parametrize(
    ("yaml", "overrides"),
    [
        ("botsort_native_reid.yaml", {}),
        ("botsort.yaml", NATIVE),
        ("deepocsort.yaml", NATIVE),
        ("tracktrack.yaml", NATIVE),
    ],
)
def test_update_with_lost_tracks_and_features_has_no_python_loop_over_pairs(yaml, overrides):
    """100 detections against 300 lost tracks with features: the Python work grows with tracks + detections only.

    Doubling both (600 x 200) doubles the lines of Python executed; a loop over track-detection pairs would quadruple
    them (30,000 -> 120,000 pairs). Counting executed lines, not time, keeps the test exact on any machine.
    """
    work = {}
    for n, m in ((300, 100), (600, 200)):
        tracker, dets, feats = tracker_cost.scale_setup(yaml, n, m, **overrides)
        assert len(tracker.lost_stracks) == n and all(t.smooth_feat is not None for t in tracker.lost_stracks)
        work[n] = lines_run(tracker, dets, feats)
        assert tracker.tracked_stracks  # the update did match and start tracks
    assert work[300] < 100 * 400, work  # far fewer lines than the 30,000 pairs
    assert work[600] / work[300] < 2.5, work
