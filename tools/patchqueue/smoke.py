"""Smoke test of one materialized tree, run by ``pq check --each`` as ``PYTHONPATH=TREE python smoke.py TREE``.

It imports ``ultralytics`` from the tree, then tracks the first frames of PETS09-S2L1 with the offline person detector
(tools/assets.py) through every tracker config the tree ships, and once more with BoT-SORT's native ReID switched on;
an end-to-end model built from YAML (YOLO26, random weights) tracks the same frames with ByteTrack. Every run must
complete; ByteTrack and the BoT-SORT configs must start tracks.
Runs under an interpreter that has the fork's dependencies (torch); prints one summary line.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

FRAMES = 8


def inputs() -> tuple[Path, list]:
    """The person detector and the first frames of the PETS09-S2L1 clip (both offline, sha256-checked assets)."""
    import cv2

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tools/
    import assets

    cap = cv2.VideoCapture(str(assets.pets09_clip()))
    frames = [frame for ok, frame in iter(cap.read, (False, None)) if ok][:FRAMES] if cap.isOpened() else []
    cap.release()
    if len(frames) < FRAMES:
        raise SystemExit("smoke: could not read the PETS09-S2L1 clip")
    return assets.person_detector(), frames


def track(model_path: str | Path, tracker: Path, frames: list) -> int:
    """Track the frames frame by frame (persist=True) with a fresh model; the number of track IDs seen."""
    from ultralytics import YOLO

    model = YOLO(model_path)
    ids: set[int] = set()
    for frame in frames:
        boxes = model.track(frame, tracker=str(tracker), persist=True, verbose=False)[0].boxes
        if boxes.is_track:
            ids.update(int(i) for i in boxes.id.tolist())
    return len(ids)


def main(tree: Path) -> int:
    """Import from the tree, then track with every shipped tracker config; non-zero exit on any failure."""
    import ultralytics

    where = Path(ultralytics.__file__).resolve()
    if tree.resolve() not in where.parents:
        raise SystemExit(f"smoke: ultralytics is imported from {where}, not from {tree}")
    import pkgutil
    from importlib import import_module

    import ultralytics.trackers as trackers

    modules = [m.name for m in pkgutil.walk_packages(trackers.__path__, "ultralytics.trackers.")]
    for name in modules:  # every tracker module of the tree imports, the fork's new ones included
        import_module(name)
    model, frames = inputs()
    configs = sorted((tree / "ultralytics/cfg/trackers").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        native = Path(tmp) / "botsort_with_reid.yaml"  # upstream's keys, so every prefix reads it
        native.write_text(
            (tree / "ultralytics/cfg/trackers/botsort.yaml").read_text().replace("with_reid: False", "with_reid: True")
        )
        counts = {cfg.name: track(model, cfg, frames) for cfg in [*configs, native]}
        counts["yolo26n.yaml+bytetrack"] = track(
            "yolo26n.yaml", tree / "ultralytics/cfg/trackers/bytetrack.yaml", frames
        )
    must = ("bytetrack.yaml", "botsort.yaml", "botsort_with_reid.yaml", "botsort_native_reid.yaml")
    empty = [name for name in must if counts.get(name) == 0]  # others start tracks later (e.g. TrackTrack's 0.7)
    if empty:
        raise SystemExit(f"smoke: no track started in {FRAMES} frames with {', '.join(empty)}")
    summary = ", ".join(f"{name.removesuffix('.yaml')} {n}" for name, n in counts.items())
    print(f"{ultralytics.__version__}, {len(modules)} tracker modules import; track IDs in {FRAMES} frames: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
