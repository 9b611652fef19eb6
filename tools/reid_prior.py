#!/usr/bin/env python3
"""Learn a native descriptor's similarity prior for ``association: reid`` from development footage.

``association: reid`` decides with the likelihood ratio of a similarity under "same person" against "different
people" (`ultralytics.trackers.utils.scene_reid.SceneStats`). Learnt on the scene alone, it cannot decide until the
scene has shown enough of both, which short or sparse clips never do. This tool learns the two distributions offline,
exactly as the tracker samples them online (positives: a track's appearance 0.5-2 s ago against its detection now;
negatives: its appearance against the other people near it), by replaying ``botsort_native_reid.yaml`` with no prior
on the cached detections of each sequence (``python -m ultralytics.trackers.eval cache``). Each sequence counts
alike. It prints the 50-bin histograms (per mille) to paste into ``SIMILARITY_PRIORS`` in
``ultralytics/trackers/utils/descriptors.py``, and a plot with ``--plot``.

    python tools/reid_prior.py --model best.pt --seqs runs/data/PETS09-S2L1 runs/data/TUD-Stadtmitte runs/data/MOT16-09

Needs the installed ultralytics-reid with its ``eval`` extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

BINS = 50


def learn(seq_dirs: list[str], model: str, descriptor: str, cache: str, imgsz: int, conf: float) -> dict:
    """Positive and negative similarity histograms (``scene_reid.BINS`` bins) each sequence gives, by name."""
    from tqdm import tqdm

    from ultralytics.engine.results import Boxes
    from ultralytics.trackers import eval as bench
    from ultralytics.trackers.config import build_tracker
    from ultralytics.trackers.utils.scene_reid import SceneStats

    out = {}
    for path in seq_dirs:
        seq = bench.Sequence(path)
        data = bench.Cache(bench.build_cache(seq, model, imgsz, conf, Path(cache)))
        cfg = bench.tracker_config(f"botsort_native_reid.yaml:descriptor={descriptor}")
        cfg.frame_rate = seq.fps
        tracker = build_tracker(cfg)
        tracker.scene_reid.prior = None  # learn from the scene alone, as without a prior
        tracker.scene_reid.reset()
        for f, frame in enumerate(tqdm(seq.frames(), total=len(data.boxes), desc=seq.name, unit="frame")):
            if f >= len(data.boxes):
                break
            tracker.update(Boxes(data.boxes[f], data.orig_shape), frame, feats=data.feats[descriptor][f])
        stats: SceneStats = tracker.scene_reid.stats
        out[seq.name] = (stats.pos.copy(), stats.neg.copy())
    return out


def pooled(hists: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each sequence's histograms normalized, averaged over sequences, in ``BINS`` bins, per mille (integers)."""
    pos = np.mean([p / p.sum() for p, _ in hists.values()], axis=0)
    neg = np.mean([n / n.sum() for _, n in hists.values()], axis=0)
    coarse = [h.reshape(BINS, -1).sum(1) for h in (pos, neg)]
    return tuple(np.round(1000 * h).astype(int) for h in coarse)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="detector weights the caches were built with")
    p.add_argument("--seqs", nargs="+", required=True, help="development sequence folders (MOTChallenge layout)")
    p.add_argument("--descriptor", default="color", help="native descriptor to learn the prior of")
    p.add_argument("--cache", default="runs/eval/cache", help="detection cache folder of the benchmark")
    p.add_argument("--imgsz", type=int, default=640, help="inference size of the cached detections")
    p.add_argument("--conf", type=float, default=0.1, help="confidence threshold of the cached detections")
    p.add_argument("--plot", type=Path, help="also write a plot of the distributions and their likelihood ratio")
    args = p.parse_args(argv)
    hists = learn(args.seqs, args.model, args.descriptor, args.cache, args.imgsz, args.conf)
    pos, neg = pooled(hists)
    for name, (sp, sn) in hists.items():
        print(f"# {name}: {int(sp.sum())} positives, {int(sn.sum())} negatives")
    print(f'"{args.descriptor}": (\n    ({", ".join(map(str, pos))}),\n    ({", ".join(map(str, neg))}),\n),')
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        x = (np.arange(BINS) + 0.5) / BINS
        fig, ax = plt.subplots(figsize=(7, 3.5), tight_layout=True)
        ax.plot(x, pos / 1000, label="same person")
        ax.plot(x, neg / 1000, label="different people")
        ax.set_xlabel("similarity (1 + cosine) / 2")
        ax.set_title(f"{args.descriptor} prior from {', '.join(hists)}", fontsize=9)
        ax.legend()
        fig.savefig(args.plot, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
