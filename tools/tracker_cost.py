#!/usr/bin/env python3
"""Tracker cost benchmarks: memory and per-frame time over long runs, and time as tracks and detections grow.

``soak``: a synthetic crowd (people arrive, walk, are missed now and then, and leave; each with its own appearance)
streams through a tracker for up to 100k frames. At each checkpoint it reports the resident memory (now and peak),
the tracker's per-frame time over the last frames (mean, p99), the track pools' sizes and the feature bytes the
tracker still holds. Bounded memory and flat time are what a long-running stream needs.

``scale``: one ``update`` with N lost tracks carrying features and M detections (half of them near a lost track, half
new), for N and M from 10 to 1000: the median time of that update, so its growth with N and M is visible.

Both time ``tracker.update`` alone, with native features given (no detector, no image: camera-motion compensation,
whose cost depends on the image and not on the tracks, is not run); ``scale`` also splits each update into its parts
(``ultralytics.trackers.utils.clock``: Kalman, association, ReID, ...; timed on other copies of the tracker, so the
clock's own cost is not in the medians), in wall time or, with ``--timer cpu``, in the
calling thread's CPU time, which a shared or busy machine disturbs much less (on a shared 2-core virtual machine
identical runs of wall time differed by up to 2x; work on other threads, e.g. a BLAS library's, is not counted then).
Needs the installed ultralytics-reid; ``--help`` on each command for its options.

    python tools/tracker_cost.py soak --frames 1000 10000 100000 --out runs/bench/soak
    python tools/tracker_cost.py scale --sizes 10 30 100 300 1000 --out runs/bench/scale
    python tools/tracker_cost.py scale --sizes 20 100 --timer cpu --repeats 25 --out runs/bench/scale-cpu
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


def rss_mib() -> tuple[float, float]:
    """Resident memory of this process now and at its peak, in MiB (Linux /proc; else the peak twice)."""
    try:
        status = Path("/proc/self/status").read_text()
        kib = {
            k: float(v.split()[0])
            for k, v in (line.split(":", 1) for line in status.splitlines() if ":" in line)
            if k in {"VmRSS", "VmHWM"}
        }
        return kib["VmRSS"] / 1024, kib["VmHWM"] / 1024
    except (OSError, KeyError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def make_tracker(spec: str, **overrides: Any) -> Any:
    """A tracker of a shipped (or given) config with overrides, as `model.track` would build it.

    `spec` is a tracker as `python -m ultralytics.trackers.eval` names one: a YAML with optional ``:key=value,...``
    overrides (e.g. ``botsort_native_reid.yaml:reid=off``), which take precedence over `overrides`.
    """
    from ultralytics.trackers.config import build_tracker
    from ultralytics.trackers.eval import parse_tracker

    yaml, keys = parse_tracker(spec)
    return build_tracker(yaml, **{**overrides, **keys})


def detections(boxes: np.ndarray, scores: np.ndarray, shape: tuple[int, int]) -> Any:
    """`Boxes` of person detections (class 0) from xyxy boxes and scores."""
    from ultralytics.engine.results import Boxes

    data = np.concatenate([boxes, scores[:, None], np.zeros((len(boxes), 1))], axis=1).astype(np.float32)
    return Boxes(data, shape)


@dataclass
class Crowd:
    """People who arrive at the image edges, walk across, are missed now and then, and leave.

    Attributes:
        rng (np.random.Generator): Source of all randomness (the run is reproducible from its seed).
        size (tuple[int, int]): Image `(height, width)`.
        active (int): Mean number of people in view.
        dim (int): Appearance feature dimension.
        miss (float): Probability that a person in view is not detected in a frame.
        seen (int): Identities created so far.
    """

    rng: np.random.Generator
    size: tuple[int, int] = (1080, 1920)
    active: int = 20
    dim: int = 64
    miss: float = 0.1
    seen: int = 0
    xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    v: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    wh: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    look: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        """Start with an empty scene and appearance rows of the configured dimension."""
        self.look = np.zeros((0, self.dim))

    def _arrive(self, n: int) -> None:
        """Add `n` people at random places on the left or right edge, walking inwards."""
        h, w = self.size
        left = self.rng.random(n) < 0.5
        wh = self.rng.uniform([30, 80], [90, 240], size=(n, 2))
        xy = np.stack([np.where(left, -wh[:, 0] / 2, w + wh[:, 0] / 2), self.rng.uniform(0.1 * h, 0.9 * h, n)], 1)
        v = np.stack([np.where(left, 1, -1) * self.rng.uniform(2, 12, n), self.rng.normal(0, 1, n)], 1)
        self.xy, self.v, self.wh = np.vstack([self.xy, xy]), np.vstack([self.v, v]), np.vstack([self.wh, wh])
        self.look = np.vstack([self.look, self.rng.normal(size=(n, self.dim))])
        self.seen += n

    def step(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Advance one frame; return the detections' xyxy boxes, scores and features, in random order."""
        h, w = self.size
        self.xy += self.v
        inside = (self.xy[:, 0] > -self.wh[:, 0]) & (self.xy[:, 0] < w + self.wh[:, 0])
        self.xy, self.v, self.wh, self.look = self.xy[inside], self.v[inside], self.wh[inside], self.look[inside]
        self._arrive(self.rng.poisson(max(self.active - len(self.xy), 0) * 0.05 + 0.01))
        shown = np.flatnonzero(self.rng.random(len(self.xy)) > self.miss)
        self.rng.shuffle(shown)
        xy = self.xy[shown] + self.rng.normal(0, 1.5, size=(len(shown), 2))
        boxes = np.concatenate([xy - self.wh[shown] / 2, xy + self.wh[shown] / 2], 1)
        feats = self.look[shown] + self.rng.normal(0, 0.3, size=(len(shown), self.dim))
        return boxes, self.rng.uniform(0.3, 1.0, len(shown)), feats.astype(np.float32)


def held_feature_bytes(tracker: Any) -> int:
    """Bytes of appearance features the tracker still references, over its tracked, lost and removed pools."""
    pools = (tracker.tracked_stracks, tracker.lost_stracks, getattr(tracker, "removed_stracks", []))
    seen: set[int] = set()
    total = 0
    for track in (t for pool in pools for t in pool):
        for f in (getattr(track, "smooth_feat", None), getattr(track, "curr_feat", None)):
            if f is not None and id(f) not in seen:
                seen.add(id(f))
                total += f.nbytes
    return total


TIMERS = {"wall": time.perf_counter, "cpu": time.thread_time}  # --timer: what a millisecond is
TIMER_WORDS = {"wall": "wall time", "cpu": "the thread's CPU time"}


def soak(args: argparse.Namespace) -> list[dict[str, float]]:
    """Stream a synthetic crowd through the tracker; one row of measurements per checkpoint."""
    from tqdm import tqdm

    checkpoints = sorted(args.frames)
    tracker = make_tracker(args.tracker, track_buffer=args.track_buffer, track_buffer_s=0)  # lifetime in frames
    crowd = Crowd(np.random.default_rng(args.seed), active=args.people, dim=args.dim)
    gc.collect()
    base, _ = rss_mib()
    times = np.zeros(checkpoints[-1])  # preallocated: the benchmark's own bookkeeping does not grow
    timer = TIMERS[args.timer]
    rows = []
    for frame in tqdm(range(1, checkpoints[-1] + 1), desc=f"soak {args.tracker}", mininterval=2, file=sys.stderr):
        boxes, scores, feats = crowd.step()
        dets = detections(boxes, scores, crowd.size)
        t0 = timer()
        tracker.update(dets, None, feats=feats)
        times[frame - 1] = timer() - t0
        if frame in checkpoints:
            window = times[max(frame - args.window, 0) : frame] * 1e3
            now, peak = rss_mib()
            rows.append(
                {
                    "frames": frame,
                    "identities": crowd.seen,
                    "rss_mib": round(now, 1),
                    "peak_rss_mib": round(peak, 1),
                    "growth_mib": round(now - base, 1),
                    "ms_mean": round(float(window.mean()), 3),
                    "ms_p99": round(float(np.percentile(window, 99)), 3),
                    "tracked": len(tracker.tracked_stracks),
                    "lost": len(tracker.lost_stracks),
                    "removed_kept": len(getattr(tracker, "removed_stracks", [])),
                    "feature_kib": round(held_feature_bytes(tracker) / 1024, 1),
                }
            )
            tqdm.write(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def scale_setup(
    yaml: str, n_tracks: int, n_dets: int, dim: int = 64, seed: int = 0, **overrides: Any
) -> tuple[Any, Any, np.ndarray]:
    """A tracker holding `n_tracks` lost tracks with features, and the next frame's `n_dets` detections and features.

    Half the detections (at most `n_tracks`) reappear near a lost track looking like it; the rest are new people.
    `yaml` may carry ``:key=value`` overrides as in `eval run`; `overrides` are more tracker config keys (e.g.
    `with_reid=True, model="auto"`).
    """
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(max(n_tracks, n_dets) * 2)))
    cell = 120.0
    shape = (int(cols * cell * 0.75) + 200, int(cols * cell) + 200)
    grid = np.stack(np.meshgrid(np.arange(cols), np.arange(cols)), -1).reshape(-1, 2) * [cell, cell * 0.75] + 100
    slots = rng.permutation(len(grid))
    people, fresh = grid[slots[:n_tracks]], grid[slots[n_tracks : n_tracks + n_dets]]
    wh = np.array([40.0, 80.0])
    looks = rng.normal(size=(n_tracks + n_dets, dim)).astype(np.float32)
    tracker = make_tracker(yaml, **{"track_buffer": 300, "track_buffer_s": 0, **overrides})
    seen = detections(np.hstack([people - wh / 2, people + wh / 2]), np.full(n_tracks, 0.9), shape)
    for _ in range(20):  # seen for 2/3 s at 30 fps: confirmed, and a scene-calibrated tracker has calibrated
        tracker.update(seen, None, feats=looks[:n_tracks])
    for _ in range(2):  # then all lost
        tracker.update(detections(np.zeros((0, 4)), np.zeros(0), shape), None, feats=np.zeros((0, dim), np.float32))
    back = min(n_dets // 2, n_tracks)
    xy = np.vstack([people[:back] + rng.normal(0, 8, size=(back, 2)), fresh[: n_dets - back]])
    feats = np.vstack([looks[:back], looks[n_tracks : n_tracks + n_dets - back]])
    feats = feats + rng.normal(0, 0.2, size=feats.shape).astype(np.float32)
    return tracker, detections(np.hstack([xy - wh / 2, xy + wh / 2]), rng.uniform(0.3, 1.0, n_dets), shape), feats


def scale_case(
    yaml: str, n_tracks: int, n_dets: int, repeats: int, dim: int, seed: int, timer: str = "wall"
) -> dict[str, float]:
    """Ms of one `update` with `n_tracks` lost tracks (with features) and `n_dets` detections, and its parts.

    Each of `repeats` rounds updates two fresh copies of the same tracker: one untouched, whose median time is
    ``total``, and one under `TrackerClock`, whose parts (`ultralytics.trackers.utils.clock.PARTS`) are taken from the
    round whose clocked update is the median, with that update's time as ``clocked`` (the parts add up to it; the
    difference to ``total`` is the clock's own cost, a microsecond or two per timed call). `timer` is a key of
    `TIMERS`: wall time, or the thread's CPU time (steadier on a shared machine).
    """
    from ultralytics.trackers.utils.clock import TrackerClock

    tracker, dets, feats = scale_setup(yaml, n_tracks, n_dets, dim, seed)
    now = TIMERS[timer]
    totals, runs = [], []
    for _ in range(repeats):
        t = copy.deepcopy(tracker)
        t0 = now()
        t.update(dets, None, feats=feats)
        totals.append(1000 * (now() - t0))
        t = copy.deepcopy(tracker)
        with TrackerClock(t, timer=now) as clock:
            t.update(dets, None, feats=feats)
        runs.append(clock.ms_per_frame())
    parts = sorted(runs, key=lambda r: r["total"])[len(runs) // 2]
    return {**parts, "clocked": parts["total"], "total": float(np.median(totals))}


def scale(args: argparse.Namespace) -> list[dict[str, float]]:
    """Median update time for every (lost tracks, detections) pair of sizes, per tracker."""
    from tqdm import tqdm

    cases = [(y, n, m) for y in args.tracker for n in args.sizes for m in args.sizes]
    rows = []
    for yaml, n, m in tqdm(cases, desc="scale", file=sys.stderr):
        ms = scale_case(yaml, n, m, args.repeats, args.dim, args.seed, args.timer)
        parts = {k: round(v, 3) for k, v in ms.items() if k != "total"}
        row = {"tracker": yaml, "lost_tracks": n, "detections": m, "timer": args.timer, "ms": round(ms["total"], 3)}
        rows.append({**row, **parts})
    return rows


def soak_markdown(rows: list[dict[str, float]], args: argparse.Namespace) -> str:
    """A markdown table of the soak checkpoints."""
    head = [
        "frames",
        "identities",
        "RSS MiB",
        "peak RSS MiB",
        "growth MiB",
        "ms/frame mean",
        "ms/frame p99",
        "tracked",
        "lost",
        "removed kept",
        "feature KiB held",
    ]
    keys = [
        "frames",
        "identities",
        "rss_mib",
        "peak_rss_mib",
        "growth_mib",
        "ms_mean",
        "ms_p99",
        "tracked",
        "lost",
        "removed_kept",
        "feature_kib",
    ]
    lines = [
        f"Soak: `{args.tracker}`, track_buffer {args.track_buffer}, ~{args.people} people in view, features "
        f"{args.dim}-d, per-frame times ({TIMER_WORDS[args.timer]}) over the last {args.window} frames. "
        f"{platform_line()}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def scale_markdown(rows: list[dict[str, float]], args: argparse.Namespace) -> str:
    """One markdown table per tracker: rows lost tracks, columns detections, cells median ms per update; then parts."""
    from ultralytics.trackers.utils.clock import PARTS

    out = [
        f"Median ms of one update ({args.repeats} repeats, {TIMER_WORDS[args.timer]}), lost tracks with {args.dim}-d"
        f" features. {platform_line()}"
    ]
    for yaml in args.tracker:
        cell = {(r["lost_tracks"], r["detections"]): r["ms"] for r in rows if r["tracker"] == yaml}
        out += [
            "",
            f"`{yaml}`",
            "",
            "| lost tracks \\ detections | " + " | ".join(map(str, args.sizes)) + " |",
            "|---|" + "---|" * len(args.sizes),
        ]
        out += [f"| {n} | " + " | ".join(f"{cell[n, m]:.2f}" for m in args.sizes) + " |" for n in args.sizes]
    out += [
        "",
        "By part (`ultralytics.trackers.utils.clock`), N lost tracks and N detections: the median update above, and the"
        " median update timed by part (its parts add up to it; the difference between the two is the clock's cost):",
        "",
        "| tracker | N | total | timed by part | " + " | ".join(PARTS) + " |",
        "|---|---|---|---|" + "---|" * len(PARTS),
    ]
    for r in rows:
        if r["lost_tracks"] == r["detections"]:
            cells = " | ".join(f"{r[k]:.2f}" for k in ("ms", "clocked", *PARTS))
            out.append(f"| `{r['tracker']}` | {r['lost_tracks']} | {cells} |")
    return "\n".join(out) + "\n"


def scale_plot(rows: list[dict[str, float]], args: argparse.Namespace, path: Path) -> None:
    """Log-log plot of update time against size: equal tracks and detections, and each axis alone at 100."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for yaml in args.tracker:
        cell = {(r["lost_tracks"], r["detections"]): r["ms"] for r in rows if r["tracker"] == yaml}
        name = Path(yaml).stem
        ax.plot(args.sizes, [cell[n, n] for n in args.sizes], "o-", label=f"{name}: N tracks = N detections")
        if 100 in args.sizes:
            ax.plot(args.sizes, [cell[n, 100] for n in args.sizes], "s--", label=f"{name}: N tracks, 100 detections")
    ax.set(xscale="log", yscale="log", xlabel="N", ylabel="ms per update (median)", title="Tracker update cost")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def platform_line() -> str:
    """The machine the numbers come from."""
    import ultralytics

    cpu = platform.processor() or platform.machine()
    return f"{cpu}, Python {platform.python_version()}, ultralytics {ultralytics.__version__}."


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("soak", help="memory and per-frame time over a long synthetic stream")
    s.add_argument("--frames", type=int, nargs="+", default=[1000, 10000, 100000], help="checkpoints (last = length)")
    s.add_argument(
        "--tracker", default="botsort_native_reid.yaml", help="tracker YAML[:key=value,...] (default: %(default)s)"
    )
    s.add_argument("--track-buffer", type=int, default=300, help="frames a lost track is kept (default: %(default)s)")
    s.add_argument("--people", type=int, default=20, help="mean number of people in view (default: %(default)s)")
    s.add_argument("--window", type=int, default=1000, help="frames the time statistics cover (default: %(default)s)")
    c = sub.add_parser("scale", help="update time as lost tracks and detections grow")
    c.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100, 300, 1000], help="N and M values")
    c.add_argument(
        "--tracker",
        nargs="+",
        default=["botsort_native_reid.yaml", "bytetrack.yaml"],
        help="tracker configs, each YAML[:key=value,...] as in `eval run` (e.g. botsort_native_reid.yaml:reid=off)",
    )
    c.add_argument("--repeats", type=int, default=7, help="timed updates per case (default: %(default)s)")
    for q in (s, c):
        q.add_argument(
            "--timer",
            choices=sorted(TIMERS),
            default="wall",
            help="wall time, or the thread's CPU time: steadier where other work shares the machine (default: "
            "%(default)s)",
        )
        q.add_argument("--dim", type=int, default=64, help="feature dimension (default: %(default)s)")
        q.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
        q.add_argument("--out", type=Path, help="folder for results.json, results.md (and scale.png)")
    args = p.parse_args(argv)
    from ultralytics.trackers.config import TrackerConfigError
    from ultralytics.trackers.eval import tracker_config

    for spec in [args.tracker] if args.cmd == "soak" else args.tracker:
        try:
            tracker_config(spec)  # every config checked before any timing, as `eval` checks it (no tracker built)
        except TrackerConfigError as e:
            p.error(str(e))

    rows = soak(args) if args.cmd == "soak" else scale(args)
    text = soak_markdown(rows, args) if args.cmd == "soak" else scale_markdown(rows, args)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
        (args.out / "results.md").write_text(text)
        if args.cmd == "scale":
            scale_plot(rows, args, args.out / "scale.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
