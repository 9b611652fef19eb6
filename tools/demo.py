"""The demo: track people in a real clip, offline, and write the annotated video and MOT-format tracks.

Run it through ``python3 tools/dev.py demo`` (which sets up the venv and the wheel); with the wheel installed,
``python tools/demo.py`` works directly. Defaults: the offline person detector and PETS09-S2L1 (see tools/assets.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from assets import AssetError, person_detector, pets09_clip  # noqa: E402

DEFAULT_TRACKER = "botsort_native_reid.yaml"


def track(model: str, source: str, tracker: str, out: Path, frames: int, conf: float, imgsz: int) -> dict:
    """Track ``source`` with ``model``; write ``out/<stem>.mp4`` (annotated) and ``out/<stem>.txt`` (MOTChallenge).

    Returns:
        (dict): frames, tracks (distinct IDs), fps (end to end, including decoding and writing), output paths.
    """
    from ultralytics import YOLO
    from ultralytics.trackers.eval import mot_line

    out.mkdir(parents=True, exist_ok=True)
    stem = Path(source).stem
    video_path, mot_path = out / f"{stem}.mp4", out / f"{stem}.txt"
    writer, ids, n = None, set(), 0
    start = time.perf_counter()
    results = YOLO(model).track(source, stream=True, tracker=tracker, conf=conf, imgsz=imgsz, verbose=False)
    with open(mot_path, "w") as mot:
        for n, r in enumerate(results, 1):
            boxes = r.boxes
            if boxes.is_track:
                for box, tid, score in zip(boxes.xyxy.tolist(), boxes.id.int().tolist(), boxes.conf.tolist()):
                    mot.write(mot_line(n, tid, box, score))
                    ids.add(tid)
            frame = r.plot()
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*"mp4v"), 7, (w, h))
            writer.write(frame)
            if n >= frames:
                break
    if writer is not None:
        writer.release()
    elapsed = time.perf_counter() - start
    return {
        "frames": n,
        "tracks": len(ids),
        "fps": n / elapsed if elapsed else 0.0,
        "video": video_path,
        "mot": mot_path,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help="detector weights (default: the offline person detector)")
    p.add_argument("--source", help="video (default: PETS09-S2L1 vtest.avi from Debian's opencv-doc)")
    p.add_argument("--tracker", default=DEFAULT_TRACKER, help=f"tracker YAML (default: {DEFAULT_TRACKER})")
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="output folder (default: runs/demo)")
    p.add_argument(
        "--frames", type=int, default=200, help="stop after this many frames (default: 200; the clip has 795)"
    )
    p.add_argument("--conf", type=float, default=0.1, help="detection confidence threshold (default: 0.1)")
    p.add_argument("--imgsz", type=int, default=640, help="inference size (default: 640)")
    a = p.parse_args(argv)
    try:
        model = a.model or str(person_detector())
        source = a.source or str(pets09_clip())
    except AssetError as e:
        print(f"demo: {e}", file=sys.stderr)
        return 2
    print(f"tracking {source} with {model} and {a.tracker} ...", flush=True)
    s = track(model, source, a.tracker, a.out, a.frames, a.conf, a.imgsz)
    print(
        f"\n{s['frames']} frames, {s['tracks']} tracks, {s['fps']:.1f} fps (end to end)\n"
        f"annotated video: {s['video']}\nMOT tracks:      {s['mot']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
